/**
 * `truc analyst-password`: the password comes on stdin and only its salted hash comes out; a short
 * password is a usage error that does not echo it.
 */
import { describe, expect, it } from 'vitest';
import { PASSWORD_HASH_PATTERN, verifyPassword } from '../../services/platform/password-hash.ts';
import { runTruc } from '../support/truc-cli.ts';

describe('truc analyst-password', () => {
  it('prints a salted scrypt hash of the password read from stdin, never the password', async () => {
    const password = 'correct horse battery staple';
    const first = runTruc(['analyst-password'], process.env, `${password}\n`);
    const second = runTruc(['analyst-password'], process.env, password);
    expect(first.status).toBe(0);
    const hash = first.stdout.trim();
    expect(hash).toMatch(PASSWORD_HASH_PATTERN);
    expect(first.stdout + first.stderr).not.toContain(password);
    // The trailing newline is not part of the password, and each hash has a salt of its own.
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(`${password}\n`, hash)).toBe(false);
    expect(second.stdout.trim()).not.toBe(hash);
    expect(await verifyPassword(password, second.stdout.trim())).toBe(true);
  });

  it('refuses a password shorter than 12 characters as a usage error, without echoing it', () => {
    const result = runTruc(['analyst-password'], process.env, 'short-pw\n');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/at least 12 characters/);
    expect(result.stdout + result.stderr).not.toContain('short-pw');
  });
});
