import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessFileError, generateKey, hashKey, watchAccessPolicy, type AccessFile, type AccessPolicy } from '../../services/platform/access.ts';
import { jsonErrorPlace } from '../../services/platform/json-error-place.ts';
import type { Logger } from '../../services/platform/logger.ts';

const INTERVAL_MS = 20;
const settle = () => new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 5));

/** A logger that keeps what it was given. */
function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger, lines };
}

describe('access file followed while running', () => {
  let dir: string;
  let file: string;
  const write = (content: AccessFile | string) => {
    writeFileSync(`${file}.tmp`, typeof content === 'string' ? content : JSON.stringify(content));
    renameSync(`${file}.tmp`, file);
  };
  const [first, second] = [generateKey(), generateKey()];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'truc-access-'));
    file = path.join(dir, 'access.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies added and revoked keys, and tells its listeners', async () => {
    write({ sources: { vhd: [hashKey(first)] } });
    const { logger, lines } = recordingLogger();
    const live = watchAccessPolicy(file, logger, INTERVAL_MS);
    const seen: AccessPolicy[] = [];
    live.onChange((policy) => seen.push(policy));
    expect(live.current().identify(first)).toEqual({ type: 'source', source: 'vhd' });
    write({ sources: { vhd: [hashKey(second)] }, operators: [hashKey(first)] });
    await settle();
    expect(live.current().identify(first)).toEqual({ type: 'operator' });
    expect(live.current().identify(second)).toEqual({ type: 'source', source: 'vhd' });
    expect(seen).toEqual([live.current()]);
    expect(lines.map((l) => l.message)).toEqual(['access file reloaded']);
    live.close();
  });

  it('keeps the previous version when a new one does not load, and says once where the problem is', async () => {
    write({ sources: { vhd: [hashKey(first)] } });
    const { logger, lines } = recordingLogger();
    const live = watchAccessPolicy(file, logger, INTERVAL_MS);
    const before = live.current();
    write('{"sources": {"vhd": [}}');
    await settle();
    await settle();
    write({ sources: { vhd: [hashKey(second)] }, agencies: { cdc: { keys: [hashKey(first)], kinds: 'all', provinces: 'all', tier: 'everything' } } });
    await settle();
    rmSync(file);
    await settle();
    expect(live.current()).toBe(before);
    expect(live.current().identify(first)).toEqual({ type: 'source', source: 'vhd' });
    expect(live.current().identify(second)).toBeNull();
    const problems = lines.filter((l) => l.level === 'error').map((l) => String(l.fields.problem));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/access\.json: not valid JSON at line 1, column 22 \("}"\)$/);
    expect(problems[1]).toMatch(/agencies\.cdc\.tier must be one of pseudonymous, identified/);
    expect(problems[2]).toMatch(/cannot read .*access\.json: ENOENT/);
    // No line holds a key or a key hash.
    expect(JSON.stringify(lines)).not.toMatch(/sha256:|truc_/);
    // A good version after all that is taken.
    write({ sources: { vhd: [hashKey(second)] } });
    await settle();
    expect(live.current().identify(second)).toEqual({ type: 'source', source: 'vhd' });
    live.close();
  });

  it('refuses to start on a file that does not load, like loadAccessPolicy', () => {
    write('not json');
    expect(() => watchAccessPolicy(file, recordingLogger().logger, INTERVAL_MS)).toThrow(AccessFileError);
  });
});

describe('place of a JSON syntax error', () => {
  it('agrees with JSON.parse on what is JSON', () => {
    const texts = [
      '{}', '[]', ' {"a": [1, -2.5e+3, true, false, null, "x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]} ', '"s"', '0', '-0.1E2',
      '', '{', '{"a":1,}', '[1,]', '01', '1.', '.5', '-', '"\\x"', '"\\u12g4"', '"a\nb"', '{"a" 1}', '{a:1}', 'nul', 'true false', '[1 2]',
      '{"a":1}}', "{'a':1}", '1e', '"unterminated',
    ];
    for (const text of texts) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonErrorPlace(text) === null, text).toBe(valid);
    }
  });

  it('names line, column and what stands there, never more of the text', () => {
    expect(jsonErrorPlace('{\n  "operators": ["sha256:abc",]\n}')).toEqual({ line: 2, column: 30, found: '"]"' });
    expect(jsonErrorPlace('{"a": [1, 2')).toEqual({ line: 1, column: 12, found: 'end of text' });
    expect(jsonErrorPlace(`${'['.repeat(10_000)}`)).toMatchObject({ line: 1 });
  });
});
