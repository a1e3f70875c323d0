/**
 * The registry's authentication pieces on their own: which requests read and which write, the
 * Basic header parser, the credentials file's checks, the failed-login throttle, and the client
 * side's one setting. The real registry is exercised in test/integration/schema-registry.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ensureLocalRegistryCredentials } from '../../infra/stack/local-registry-credentials.ts';
import { loadConfig, parseUserInfo } from '../../services/platform/config.ts';
import { basicAuthorization, registryClientCredentials, registryHeaders } from '../../services/platform/registry-credentials.ts';
import { accessNeeded, FailedLoginThrottle, parseBasicAuthorization } from '../../services/schema-registry/authentication.ts';
import { addRegistryCredential, issueRegistryCredential, parseRegistryCredentials, RegistryCredentials, removeRegistryCredential } from '../../services/schema-registry/credentials.ts';
import { Registry } from '../../services/schema-registry/registry.ts';
import { buildServer } from '../../services/schema-registry/server.ts';
import { runTruc } from '../support/truc-cli.ts';

describe('what a registry request needs', () => {
  it.each([
    ['GET', '/subjects', 'read'],
    ['GET', '/schemas/ids/:id', 'read'],
    ['HEAD', '/subjects', 'read'],
    ['POST', '/subjects/:subject', 'read'],
    ['POST', '/compatibility/subjects/:subject/versions/:version', 'read'],
    ['POST', '/compatibility/subjects/:subject/versions', 'read'],
    ['GET', undefined, 'read'],
    ['POST', undefined, 'read'],
    ['GET', '/health', 'none'],
    ['POST', '/subjects/:subject/versions', 'write'],
    ['DELETE', '/subjects/:subject', 'write'],
    ['DELETE', '/subjects/:subject/versions/:version', 'write'],
    ['PUT', '/config', 'write'],
    ['DELETE', '/config', 'write'],
    ['PUT', '/config/:subject', 'write'],
    ['DELETE', '/config/:subject', 'write'],
    ['PUT', '/mode', 'write'],
    ['PUT', '/mode/:subject', 'write'],
    ['DELETE', '/mode/:subject', 'write'],
  ] as const)('%s %s needs %s', (method, route, need) => {
    expect(accessNeeded(method, route)).toBe(need);
  });
});

describe('Basic authorization header', () => {
  const encode = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

  it('splits at the first colon, so passwords may hold colons', () => {
    expect(parseBasicAuthorization(encode('truc:pa:ss:word'))).toEqual({ username: 'truc', password: 'pa:ss:word' });
    expect(parseBasicAuthorization(`basic  ${Buffer.from('u:p').toString('base64')} `)).toEqual({ username: 'u', password: 'p' });
    expect(parseBasicAuthorization(basicAuthorization({ username: 'ngô', password: 'mật khẩu' }))).toEqual({ username: 'ngô', password: 'mật khẩu' });
  });

  it.each([
    ['Bearer abc'],
    ['Basic'],
    ['Basic !!!'],
    [`Basic ${Buffer.from('no-colon').toString('base64')}`],
    [`Basic ${Buffer.from(':password-only').toString('base64')}`],
    [`Basic ${Buffer.from('u:p').toString('base64')} extra`],
    [`Basic ${Buffer.from('u:p').toString('base64')}, Basic ${Buffer.from('v:q').toString('base64')}`],
  ])('refuses %j', (header) => {
    expect(parseBasicAuthorization(header)).toBeNull();
  });
});

describe('registry credentials', () => {
  const writer = issueRegistryCredential('truc');
  const reader = issueRegistryCredential('bi-tool');
  const older = issueRegistryCredential('truc');
  const credentials = new RegistryCredentials({ writers: { truc: [older.hash, writer.hash] }, readers: { 'bi-tool': [reader.hash] } });
  const password = (userInfo: string) => parseUserInfo(userInfo)!.password;

  it('issues 256-bit passwords and keeps only their hashes', () => {
    expect(writer.userInfo).toMatch(/^truc:truc_[A-Za-z0-9_-]{43}$/);
    expect(writer.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(writer.hash).not.toContain(password(writer.userInfo));
    expect(issueRegistryCredential('truc').userInfo).not.toBe(writer.userInfo);
    expect(() => issueRegistryCredential('a:b')).toThrow(/not a valid user name/);
  });

  it('gives each user its role, for any of its hashes (rotation), and nothing else', () => {
    expect(credentials.authenticate('truc', password(writer.userInfo))).toBe('writer');
    expect(credentials.authenticate('truc', password(older.userInfo))).toBe('writer');
    expect(credentials.authenticate('bi-tool', password(reader.userInfo))).toBe('reader');
    expect(credentials.authenticate('bi-tool', password(writer.userInfo))).toBeNull();
    expect(credentials.authenticate('truc', password(reader.userInfo))).toBeNull();
    expect(credentials.authenticate('nobody', password(writer.userInfo))).toBeNull();
    expect(credentials.authenticate('truc', '')).toBeNull();
    expect(credentials.authenticate('__proto__', 'x')).toBeNull();
  });

  it.each([
    ['[]', /JSON object/],
    ['{"writers": []}', /writers must be an object/],
    ['{"writers": {"truc": "sha256:00"}}', /writers.truc must be a non-empty list/],
    ['{"writers": {"truc": []}}', /writers.truc must be a non-empty list/],
    ['{"writers": {"truc": ["plain-password"]}}', /writers.truc\[0\] must be "sha256:"/],
    [`{"writers": {"a:b": ["sha256:${'0'.repeat(64)}"]}}`, /a user name is/],
    [`{"writers": {"u": ["sha256:${'0'.repeat(64)}"]}, "readers": {"u": ["sha256:${'1'.repeat(64)}"]}}`, /readers.u: the user is listed twice/],
    ['{"writers": ', /not valid JSON/],
  ])('refuses the file %s with a message saying where', (text, problem) => {
    expect(() => parseRegistryCredentials(text, 'credentials.json')).toThrow(problem);
    expect(() => parseRegistryCredentials(text, 'credentials.json')).toThrow(/^credentials.json: /);
  });
});

describe('failed-login throttle', () => {
  it('blocks a user from an address after the limit until the window ends, and no one else', () => {
    let now = 1_000_000;
    const throttle = new FailedLoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blockedFor('10.0.0.1', 'truc')).toBe(0);
      throttle.fail('10.0.0.1', 'truc');
    }
    expect(throttle.blockedFor('10.0.0.1', 'truc')).toBe(60);
    expect(throttle.blockedFor('10.0.0.1', 'bi-tool')).toBe(0);
    expect(throttle.blockedFor('10.0.0.2', 'truc')).toBe(0);
    now += 45_000;
    expect(throttle.blockedFor('10.0.0.1', 'truc')).toBe(15);
    now += 15_000;
    expect(throttle.blockedFor('10.0.0.1', 'truc')).toBe(0);
    throttle.fail('10.0.0.1', 'truc');
    expect(throttle.blockedFor('10.0.0.1', 'truc')).toBe(0);
  });

  it('keeps at most 10,000 counts, dropping the oldest', () => {
    const throttle = new FailedLoginThrottle(1, 60_000, () => 0);
    throttle.fail('first', '');
    expect(throttle.blockedFor('first', '')).toBe(60);
    for (let i = 0; i < 10_000; i++) throttle.fail(`10.1.${i >> 8}.${i & 255}`, '');
    expect(throttle.blockedFor('first', '')).toBe(0);
    expect(throttle.blockedFor('10.1.39.15', '')).toBe(60);
  });
});

describe('refusals', () => {
  const writer = issueRegistryCredential('truc');
  const credentials = new RegistryCredentials({ writers: { truc: [writer.hash] } });
  const noStore = { read: async () => [], write: async () => [] } as never;

  it('never log a presented password, even one sent in place of a user name', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = buildServer({
      registry: new Registry(noStore),
      logger: pino({ level: 'debug' }, sink),
      isReady: async () => true,
      authentication: { credentials: () => credentials, anonymousRead: false },
    });
    const secret = parseUserInfo(writer.userInfo)!.password;
    for (const authorization of [
      basicAuthorization({ username: 'truc', password: `${secret}x` }),
      basicAuthorization({ username: secret, password: 'x' }),
      `Basic ${Buffer.from(secret).toString('base64')}`,
    ]) {
      const response = await app.inject({ method: 'GET', url: `/subjects?x=1`, headers: { authorization } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="Truc schema registry", charset="UTF-8"');
      expect(response.json()).toEqual({ error_code: 40101, message: expect.stringMatching(/^Unauthorized: /) });
    }
    await app.close();
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('')).not.toContain(secret);
    expect(lines.filter((line) => line.includes('"user":"truc"'))).toHaveLength(1);
  });
});

describe("Truc's client credentials", () => {
  it('come from SCHEMA_REGISTRY_USER_INFO, else the user-info file, else none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-user-info-'));
    try {
      const file = join(dir, 'user-info.secret');
      const config = (env: Record<string, string>) => loadConfig({ TRUC_DATA_DIR: dir, SCHEMA_REGISTRY_USER_INFO_FILE: file, ...env }).schemaRegistry;
      expect(registryClientCredentials(config({}))).toBeNull();
      expect(registryHeaders(config({}))).toEqual({});
      writeFileSync(file, 'truc:from-the-file\n');
      expect(registryClientCredentials(config({}))).toEqual({ username: 'truc', password: 'from-the-file' });
      expect(registryClientCredentials(config({ SCHEMA_REGISTRY_USER_INFO: 'ops:from:env' }))).toEqual({ username: 'ops', password: 'from:env' });
      expect(registryHeaders(config({ SCHEMA_REGISTRY_USER_INFO: 'ops:pw' }))).toEqual({ authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` });
      writeFileSync(file, 'no colon here');
      expect(() => registryClientCredentials(config({}))).toThrow(/must hold the schema registry credentials as user:password/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['s3cret-no-colon', ':s3cret-password-only', 's3cret-user:'])('refuse SCHEMA_REGISTRY_USER_INFO=%j without echoing it', (value) => {
    expect(() => loadConfig({ SCHEMA_REGISTRY_USER_INFO: value })).toThrow(/SCHEMA_REGISTRY_USER_INFO must be user:password/);
    try {
      loadConfig({ SCHEMA_REGISTRY_USER_INFO: value });
    } catch (error) {
      expect((error as Error).message).not.toContain(value);
    }
  });

  it('anonymous reads are off unless asked for', () => {
    expect(loadConfig({}).schemaRegistry.anonymousRead).toBe(false);
    expect(loadConfig({ SCHEMA_REGISTRY_ANONYMOUS_READ: 'true' }).schemaRegistry.anonymousRead).toBe(true);
    expect(() => loadConfig({ SCHEMA_REGISTRY_ANONYMOUS_READ: 'perhaps' })).toThrow(/SCHEMA_REGISTRY_ANONYMOUS_READ=/);
  });
});

describe('removing a registry user', () => {
  it('drops that user of either role and no other, and says whether it was there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-remove-'));
    const file = join(dir, 'credentials.json');
    const load = () => parseRegistryCredentials(readFileSync(file, 'utf8'), file);
    try {
      expect(removeRegistryCredential(file, 'nobody')).toBe(false);
      const writer = parseUserInfo(addRegistryCredential(file, { user: 'truc', role: 'writer', replace: false }))!;
      const reader = parseUserInfo(addRegistryCredential(file, { user: 'agency-a', role: 'reader', replace: false }))!;
      expect(removeRegistryCredential(file, 'agency-a')).toBe(true);
      expect(load().has('agency-a')).toBe(false);
      expect(load().authenticate('agency-a', reader.password)).toBeNull();
      expect(load().authenticate('truc', writer.password)).toBe('writer');
      expect(removeRegistryCredential(file, 'agency-a')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('truc registry-credential', () => {
  it('issues writers and readers into the credentials file, rotates and replaces passwords', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-credential-cli-'));
    const file = join(dir, 'credentials.json');
    const env = { ...process.env, SCHEMA_REGISTRY_CREDENTIALS_FILE: file };
    const issue = (...args: string[]) => {
      const result = runTruc(['registry-credential', ...args], env);
      expect(result.status, result.stderr).toBe(0);
      return parseUserInfo(result.stdout.trim())!;
    };
    const load = () => parseRegistryCredentials(readFileSync(file, 'utf8'), file);
    try {
      const writer = issue('etl');
      const reader = issue('bi-tool', '--reader');
      expect(load().authenticate('etl', writer.password)).toBe('writer');
      expect(load().authenticate('bi-tool', reader.password)).toBe('reader');
      expect(readFileSync(file, 'utf8')).not.toContain(writer.password);

      const rotated = issue('etl');
      expect([load().authenticate('etl', writer.password), load().authenticate('etl', rotated.password)]).toEqual(['writer', 'writer']);
      const replaced = issue('etl', '--replace');
      expect([load().authenticate('etl', rotated.password), load().authenticate('etl', replaced.password)]).toEqual([null, 'writer']);

      const conflict = runTruc(['registry-credential', 'bi-tool'], env);
      expect(conflict.status).toBe(1);
      expect(conflict.stderr).toMatch(/bi-tool is a reader; replace its credentials to change its role/);
      expect(load().authenticate('bi-tool', reader.password)).toBe('reader');
      expect(runTruc(['registry-credential', 'a:b'], env).stderr).toMatch(/not a valid user name/);
      expect(runTruc(['registry-credential'], env).status).toBe(2);

      writeFileSync(file, '{"writers": ');
      const broken = runTruc(['registry-credential', 'etl'], env);
      expect(broken.status).toBe(1);
      expect(broken.stderr).toMatch(/not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Eight CLI processes one after another: on a loaded machine they took 150 s (a minute is the default).
  }, 300_000);
});

describe("the local stack's registry credentials", () => {
  it('are issued once on first start: the hash for the registry, user:password (private) for the clients', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-local-'));
    try {
      const config = loadConfig({ TRUC_DATA_DIR: dir }).schemaRegistry;
      expect(ensureLocalRegistryCredentials(config)).toBe(true);
      const client = registryClientCredentials(config)!;
      expect(client.username).toBe('truc');
      expect(statSync(config.userInfoFile).mode & 0o777).toBe(0o600);
      const registry = parseRegistryCredentials(readFileSync(config.credentialsFile, 'utf8'), config.credentialsFile);
      expect(registry.authenticate(client.username, client.password)).toBe('writer');
      expect(readFileSync(config.credentialsFile, 'utf8')).not.toContain(client.password);
      // Later starts keep what was issued.
      expect(ensureLocalRegistryCredentials(config)).toBe(false);
      expect(registryClientCredentials(config)).toEqual(client);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('admit SCHEMA_REGISTRY_USER_INFO when it is set on first start, and write no secret file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-local-'));
    try {
      const config = loadConfig({ TRUC_DATA_DIR: dir, SCHEMA_REGISTRY_USER_INFO: 'ops:a-long-chosen-password' }).schemaRegistry;
      expect(ensureLocalRegistryCredentials(config)).toBe(true);
      expect(existsSync(config.userInfoFile)).toBe(false);
      const registry = parseRegistryCredentials(readFileSync(config.credentialsFile, 'utf8'), config.credentialsFile);
      expect(registry.authenticate('ops', 'a-long-chosen-password')).toBe('writer');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
