import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../infra/stack/kafka-broker.ts';

describe('a new KRaft cluster id', () => {
  it('is 16 bytes in base64url', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it("never begins with '-', which the storage tool would read as an option", () => {
    // 0xF8 makes the first base64url digit 62, '-'; the generator must draw again.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)];
    const id = newClusterId(() => draws.shift()!);
    expect(Buffer.from(Buffer.alloc(16, 0xf8)).toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 0x11).toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});
