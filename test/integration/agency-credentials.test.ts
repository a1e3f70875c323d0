/**
 * `truc agency-credentials` and the revocation of removed agencies, with a real Kafka client on the
 * agency listener (SASL/SCRAM over TLS) and the real schema registry: the command issues a login
 * with which the agency reads its out.<agency>.* topic and a registry credential that reads but
 * cannot write; once the agency leaves the access file its login fails within seconds, with no
 * restart, while another agency's still works; a login left over from an agency removed while
 * nothing ran is revoked when the follower starts; principals that are not agencies are untouched.
 *
 * Runs with the pipeline files (after the others, one at a time): the follower revokes every agency
 * login of the broker that its access file does not list, which would include other files' agencies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs, { type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followAgencyAccess, type AgencyAccessFollower } from '../../infra/stack/agency-access.ts';
import { agenciesWithAcls, agencyListeners, grantAgency, localCredentialsFile, revokeAgency } from '../../infra/stack/kafka-broker.ts';
import { caFile } from '../../infra/stack/kafka-security.ts';
import { generateKey, hashKey, watchAccessPolicy, type AccessFile, type LiveAccessPolicy } from '../../services/platform/access.ts';
import { type SaslCredentials } from '../../services/platform/config.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { readLocalKafkaCredentials } from '../../services/platform/kafka-credentials.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { waitForLeaders } from '../../services/platform/topics.ts';
import { readMessages, testConfig, testKafka, uniqueName } from '../support/kafka.ts';
import { runTruc, type TrucResult } from '../support/truc-cli.ts';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
const config = testConfig();
const A = uniqueName('ag');
const B = uniqueName('ag');
const GONE = uniqueName('ag');
const KIND = 'health-declaration';
const folder = mkdtempSync(path.join(os.tmpdir(), 'truc-agency-credentials-'));
const accessFile = path.join(folder, 'access.json');

function writeAccess(agencies: string[]): void {
  const file: AccessFile = {
    sources: { vhd: [hashKey(generateKey())] },
    operators: [hashKey(generateKey())],
    agencies: Object.fromEntries(agencies.map((agency) => [agency, { keys: [hashKey(generateKey())], kinds: 'all', provinces: 'all', tier: 'pseudonymous' }])),
  };
  writeFileSync(accessFile, `${JSON.stringify(file, null, 2)}\n`);
}

/** `truc agency-credentials` as an operator runs it, with this test's access file. */
function agencyCredentials(...args: string[]): TrucResult {
  return runTruc(['agency-credentials', ...args], { ...process.env, TRUC_ACCESS_FILE: accessFile });
}

interface Issued {
  login: SaslCredentials;
  registryUserInfo: string;
}

function parseIssued(stdout: string): Issued {
  const properties = new Map(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const));
  expect(properties.get('security.protocol')).toBe('SASL_SSL');
  expect(properties.get('ssl.ca.location')).toBe(caFile(config));
  return {
    login: { mechanism: 'scram-sha-512', username: properties.get('sasl.username')!, password: properties.get('sasl.password')! },
    registryUserInfo: properties.get('basic.auth.user.info')!,
  };
}

function agencyClient(sasl: SaslCredentials): Kafka {
  return createKafka(
    { brokers: agencyListeners(config), clientId: 'agency-test', ssl: true, caFile: caFile(config), sasl, ingestSasl: null, localCredentialsFile: null, manageAgencyAccess: false },
    createLogger('test', 'silent'),
    sasl.username,
  );
}

/** Reads the agency's topic in a fresh group of its own; the refusal's message when it cannot. */
async function readOwn(agency: string, login: SaslCredentials): Promise<string> {
  try {
    const messages = await readMessages(agencyClient(login), `out.${agency}.${KIND}`, 1, 8_000, `${agency}.${randomBytes(4).toString('hex')}`);
    return `read ${messages[0]?.value?.toString()}`;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

function registry(userInfo: string, pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${config.schemaRegistry.url}${pathname}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Basic ${Buffer.from(userInfo).toString('base64')}` },
  });
}

/** The ACLs the broker holds for a principal. */
async function aclsOf(principal: string): Promise<number> {
  const admin = testKafka(config).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    return resources.reduce((sum, resource) => sum + resource.acls.length, 0);
  } finally {
    await admin.disconnect();
  }
}

describe.runIf((process.env.TRUC_TEST_STACK ?? 'native') === 'native')('agencies\' Kafka logins: issued by truc agency-credentials, revoked with the access file', () => {
  const admin = testKafka(config).admin();
  let access: LiveAccessPolicy | null = null;
  let follower: AgencyAccessFollower | null = null;
  const issued = new Map<string, Issued>();

  beforeAll(async () => {
    expect(readLocalKafkaCredentials(localCredentialsFile(config)), 'the local stack secured its broker').not.toBeNull();
    writeAccess([A, B]);
    await admin.connect();
    const topics = [A, B].map((agency) => `out.${agency}.${KIND}`);
    await admin.createTopics({ waitForLeaders: false, topics: topics.map((topic) => ({ topic, numPartitions: 1 })) });
    await waitForLeaders(admin, topics);
    const producer = testKafka(config).producer();
    await producer.connect();
    for (const topic of topics) await producer.send({ topic, messages: [{ key: 'k', value: `record of ${topic}` }] });
    await producer.disconnect();
  });

  afterAll(async () => {
    follower?.close();
    await follower?.settled();
    access?.close();
    for (const agency of [A, B, GONE]) await revokeAgency(config, agency).catch(() => {});
    await admin.deleteTopics({ topics: [A, B].map((agency) => `out.${agency}.${KIND}`) }).catch(() => {});
    await admin.disconnect();
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses an agency that is not in the access file, and names it', async () => {
    const result = agencyCredentials('not-listed');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('"not-listed" is not an agency of the access file');
    expect(result.stdout).toBe('');
    expect(await agenciesWithAcls(config)).not.toContain('not-listed');
  });

  it('issues a login with which the agency reads its out.<agency>.* topic over SASL_SSL', async () => {
    for (const agency of [A, B]) {
      const result = agencyCredentials(agency);
      expect(result.status, result.stderr).toBe(0);
      issued.set(agency, parseIssued(result.stdout));
    }
    expect(issued.get(A)!.login.username).toBe(`agency-${A}`);
    expect(issued.get(A)!.login.password).not.toBe(issued.get(B)!.login.password);
    expect(await readOwn(A, issued.get(A)!.login)).toBe(`read record of out.${A}.${KIND}`);
    expect(await readOwn(B, issued.get(B)!.login)).toBe(`read record of out.${B}.${KIND}`);
  });

  it("gives a registry credential that reads schemas and cannot write", async () => {
    const { registryUserInfo } = issued.get(A)!;
    expect(registryUserInfo.startsWith(`agency-${A}:`)).toBe(true);
    await expect.poll(async () => (await registry(registryUserInfo, '/subjects')).status, { timeout: 5_000 }).toBe(200);
    const write = await registry(registryUserInfo, `/subjects/${A}-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: '"string"' }),
    });
    expect(write.status).toBe(403);
    expect((await registry(registryUserInfo, '/config', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"compatibility":"NONE"}' })).status).toBe(403);
  });

  it('issues a second login only with --rotate, which ends the first', async () => {
    const again = agencyCredentials(B);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already has a Kafka login; --rotate replaces it');
    const old = issued.get(B)!;
    const rotated = agencyCredentials(B, '--rotate');
    expect(rotated.status, rotated.stderr).toBe(0);
    issued.set(B, parseIssued(rotated.stdout));
    expect(await readOwn(B, issued.get(B)!.login)).toBe(`read record of out.${B}.${KIND}`);
    expect(await readOwn(B, old.login)).toMatch(/^refused: .*(SASL|authenticat)/i);
    await expect.poll(async () => (await registry(old.registryUserInfo, '/subjects')).status, { timeout: 5_000 }).toBe(401);
  });

  it('revokes at start the login of an agency removed while nothing ran, and nothing but agency logins', async () => {
    const leftOver = (await grantAgency(config, GONE, randomBytes(18).toString('base64url')))!;
    const services = readLocalKafkaCredentials(localCredentialsFile(config))!.services.username;
    const servicesAcls = await aclsOf(`User:${services}`);
    expect(servicesAcls).toBeGreaterThan(0);
    access = watchAccessPolicy(accessFile, createLogger('test', 'silent'), 200);
    follower = followAgencyAccess({ config, logger: createLogger('test', 'silent'), access });
    await follower.settled();
    expect(await agenciesWithAcls(config)).not.toContain(GONE);
    expect(await readOwn(GONE, leftOver)).toMatch(/^refused: /);
    expect(await agenciesWithAcls(config)).toEqual(expect.arrayContaining([A, B]));
    expect(await aclsOf(`User:${services}`)).toBe(servicesAcls);
  });

  it('takes a removed agency\'s login away within seconds, without a restart, and leaves the other agency\'s', async () => {
    const started = Date.now();
    writeAccess([B]);
    await expect
      .poll(() => readOwn(A, issued.get(A)!.login), { timeout: 15_000, interval: 500 })
      .toMatch(/^refused: .*(SASL|authenticat|authoriz)/i);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await agenciesWithAcls(config)).not.toContain(A);
    await expect.poll(async () => (await registry(issued.get(A)!.registryUserInfo, '/subjects')).status, { timeout: 5_000 }).toBe(401);
    expect(await readOwn(B, issued.get(B)!.login)).toBe(`read record of out.${B}.${KIND}`);
    expect((await registry(issued.get(B)!.registryUserInfo, '/subjects')).status).toBe(200);
  });
});
