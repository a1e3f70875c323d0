/**
 * The sunset's parts without the stack: the drain rule, the secret's rotation, the receipt's
 * signature, the stores' settings and topics, the groups waited for, the CLI's lines, and HTTP
 * ingest's pause waiting for the requests it had admitted.
 */
import avro from 'avsc';
import Fastify from 'fastify';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestMetrics } from '../../connectors/http-ingest/metrics.ts';
import { IngestConnector } from '../../connectors/http-ingest/ingest-connector.ts';
import type { CoalescingProducer } from '../../services/platform/coalescing-producer.ts';
import { plannedLines, receiptLines } from '../../services/cli/sunset-command.ts';
import { AvroWriter } from '../../services/platform/avro-serde.ts';
import { rawSchema } from '../../services/platform/catalog.ts';
import { ConfigError, loadConfig } from '../../services/platform/config.ts';
import { createContentId } from '../../services/platform/event-id.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { createPersonKey, personKeySecret, PersonKeySecret, SecretRotationError } from '../../services/platform/person-key.ts';
import { RawRecordCodec } from '../../services/platform/raw-records.ts';
import type { Subscription } from '../../services/subscriptions/model.ts';
import { caughtUp } from '../../services/sunset/drain.ts';
import { pipelineGroups } from '../../services/sunset/pipeline-groups.ts';
import { loadSigningKey, receiptIsSigned, signReceipt, type SunsetReceipt } from '../../services/sunset/receipt.ts';
import { topicsOfStores } from '../../services/sunset/topic-erasure.ts';
import { rawExample } from '../fixtures/raw-examples.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'truc-sunset-unit-'));
const X = { document: { type: 'CCCD', number: '079092001234' } };

describe('the drain rule', () => {
  it('counts a partition caught up at its end, or one offset short that stays put (a commit marker), not a real backlog', () => {
    expect(caughtUp({ committed: 10, end: 10, since: 0 }, 0, 3_000)).toBe(true);
    expect(caughtUp({ committed: 9, end: 10, since: 0 }, 2_999, 3_000)).toBe(false);
    expect(caughtUp({ committed: 9, end: 10, since: 0 }, 3_000, 3_000)).toBe(true);
    expect(caughtUp({ committed: 8, end: 10, since: 0 }, 60_000, 3_000)).toBe(false);
  });
});

describe('the person_key secret', () => {
  it('rotates a file secret: new bytes in the file, the keyed functions follow, nothing links to the old keys', () => {
    const file = path.join(tmp(), 'person-key.secret');
    writeFileSync(file, 'an-old-secret-of-at-least-32-characters!\n');
    const secret = new PersonKeySecret('an-old-secret-of-at-least-32-characters!', file);
    const personKey = secret.keyed(createPersonKey);
    const contentId = secret.keyed(createContentId);
    const [oldKey, oldId] = [personKey(X), contentId({ row: 1 })];
    expect(oldKey).toBe(createPersonKey('an-old-secret-of-at-least-32-characters!')(X));

    secret.rotate();
    const written = readFileSync(file, 'utf8').trim();
    expect(written).not.toContain('an-old-secret');
    expect(written.length).toBeGreaterThanOrEqual(32);
    expect(secret.current).toBe(written);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(personKey(X)).toBe(createPersonKey(written)(X));
    expect(personKey(X)).not.toBe(oldKey);
    expect(contentId({ row: 1 })).not.toBe(oldId);
  });

  it('refuses to rotate a secret given in the environment, saying where to keep it instead', () => {
    const secret = new PersonKeySecret('a-secret-from-the-environment-0123456789', null);
    expect(() => secret.rotate()).toThrow(SecretRotationError);
    expect(() => secret.rotate()).toThrow(/PERSON_KEY_SECRET_FILE/);
    expect(secret.current).toBe('a-secret-from-the-environment-0123456789');
  });

  it('is one holder per secret in a process, so every stage follows one rotation', () => {
    const file = path.join(tmp(), 'person-key.secret');
    const config = loadConfig({ PERSON_KEY_SECRET_FILE: file }).normalizer;
    const first = personKeySecret(config, true);
    expect(personKeySecret(config)).toBe(first);
    const followed = first.keyed(createPersonKey);
    personKeySecret(config).rotate();
    expect(followed(X)).toBe(createPersonKey(readFileSync(file, 'utf8').trim())(X));
  });
});

describe('the receipt', () => {
  const receipt: SunsetReceipt = {
    sunsetId: 'b0f1c2d3-0000-4000-8000-000000000001',
    startedAt: '2026-12-06T04:00:00.000Z',
    finishedAt: '2026-12-06T04:00:09.000Z',
    drained: ['normalizer', 'ClickHouse sink', 'subscription s-1 (research)'],
    notWaitedFor: ['subscription s-2 (police)'],
    topics: [
      { topic: 'raw.pccovid.health-declaration', store: 'raw', action: 'deleted', offsets: 30 },
      { topic: 'canonical.health-declaration', store: 'canonical', action: 'deleted', offsets: 31 },
      { topic: 'out.research.health-declaration', store: 'agency-topics', action: 'kept', offsets: 12 },
    ],
    clickhouse: [{ table: 'health_declarations', action: 'anonymised', rows: 30 }],
    personKeySecret: { rotatedAt: '2026-12-06T04:00:08.000Z', oldSecret: 'destroyed' },
    audit: 'kept',
  };

  it('is signed with a key made on first use (private half owner-only) and checked with its public half; a changed receipt or another key fails', () => {
    const file = path.join(tmp(), 'sunset-signing.key');
    const key = loadSigningKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSigningKey(file).export({ type: 'pkcs8', format: 'pem' })).toEqual(key.export({ type: 'pkcs8', format: 'pem' }));
    const signed = signReceipt(receipt, key);
    const publicKey = readFileSync(`${file}.pub`, 'utf8');
    expect(signed.publicKey).toBe(publicKey);
    expect(receiptIsSigned(signed, publicKey)).toBe(true);
    expect(receiptIsSigned({ ...signed, receipt: signed.receipt.replace('"rows":30', '"rows":3') }, publicKey)).toBe(false);
    expect(receiptIsSigned({ ...signed, signature: 'not a signature' }, publicKey)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(receiptIsSigned(signed, other)).toBe(false);
  });

  it('reads as lines per store and table for the operator', () => {
    const lines = receiptLines(signReceipt(receipt, loadSigningKey(path.join(tmp(), 'k'))));
    expect(lines[0]).toBe('sunset b0f1c2d3-0000-4000-8000-000000000001: 2026-12-06T04:00:00.000Z to 2026-12-06T04:00:09.000Z');
    expect(lines).toContain('  drained: normalizer, ClickHouse sink, subscription s-1 (research); not waited for: subscription s-2 (police)');
    expect(lines).toContain('  raw            deleted 30 offsets in 1 topics');
    expect(lines).toContain('  agency-topics  kept 12 offsets in 1 topics');
    expect(lines).toContain('  health_declarations    anonymised 30 rows');
  });
});

describe('what the sunset does per store (SUNSET_<STORE>)', () => {
  it('empties topics and anonymises ClickHouse by default, and is told otherwise per store', () => {
    expect(loadConfig({}).sunset.actions).toEqual({ raw: 'delete', canonical: 'delete', 'dead-letters': 'delete', 'agency-topics': 'delete', clickhouse: 'anonymise' });
    const config = loadConfig({ SUNSET_AGENCY_TOPICS: 'keep', SUNSET_CLICKHOUSE: 'delete' });
    expect(config.sunset.actions).toMatchObject({ 'agency-topics': 'keep', clickhouse: 'delete' });
    expect(plannedLines(config)).toEqual([
      '  raw            delete',
      '  canonical      delete',
      '  dead-letters   delete',
      '  agency-topics  keep',
      '  clickhouse     delete',
      '  audit          keep (its own retention)',
      '  secret         rotate, destroy the old one',
    ]);
  });

  it('refuses what a store cannot do, naming the variable', () => {
    expect(() => loadConfig({ SUNSET_RAW: 'anonymise' })).toThrow(ConfigError);
    expect(() => loadConfig({ SUNSET_RAW: 'anonymise' })).toThrow(/SUNSET_RAW="anonymise" must be one of delete, keep/);
    expect(() => loadConfig({ SUNSET_CLICKHOUSE: 'drop' })).toThrow(/SUNSET_CLICKHOUSE="drop" must be one of anonymise, delete, keep/);
    expect(() => loadConfig({ SUNSET_DRAIN_TIMEOUT_MS: '10' })).toThrow(/SUNSET_DRAIN_TIMEOUT_MS/);
  });

  it("finds each store's topics; compacted ones, the audit and the internal topics are not among them", () => {
    const stores = topicsOfStores([
      'raw.pccovid.health-declaration', 'canonical.health-declaration', 'canonical.checkpoint', 'dlq.normalizer', 'dlq.sink.s-1',
      'out.research.health-declaration', 'audit.disclosures', '_truc.normalizer-state', '_schemas', 'raw.unknown.kind',
    ]);
    expect(Object.fromEntries(stores)).toEqual({
      'raw.pccovid.health-declaration': 'raw',
      'canonical.health-declaration': 'canonical',
      'dlq.normalizer': 'dead-letters',
      'dlq.sink.s-1': 'dead-letters',
      'out.research.health-declaration': 'agency-topics',
    });
  });

  it('waits for the normalizer, the sink and the active subscriptions, not the paused ones', () => {
    const config = loadConfig({});
    const subscription = (id: string, state: 'active' | 'paused') => ({ id, agency: 'research', generation: 2, state }) as Subscription;
    const { groups, notWaitedFor } = pipelineGroups(config, [subscription('s-1', 'active'), subscription('s-2', 'paused')]);
    expect(groups.map((group) => [group.name, group.groupId])).toEqual([
      ['normalizer', config.normalizer.groupId],
      ['ClickHouse sink', config.clickhouseSink.groupId],
      ['subscription s-1 (research)', `${config.fanout.groupPrefix}-s-1-g2`],
    ]);
    expect(groups[0]!.topics).toContain('raw.pccovid.health-declaration');
    expect(groups[1]!.topics).toContain('canonical.health-declaration');
    expect(notWaitedFor).toEqual(['subscription s-2 (research)']);
  });
});

describe("HTTP ingest's pause", () => {
  it('answers new requests 503 and returns only once the requests it had admitted are written', async () => {
    const topic = 'raw.hotline-1022.citizen-report';
    const codec = new RawRecordCodec('hotline-1022', 'citizen-report', new AvroWriter(7, avro.Type.forSchema(rawSchema('hotline-1022', 'citizen-report') as avro.Schema)), createContentId('unit-test-secret-0123456789abcdefghijkl'));
    let release = () => {};
    const written: number[] = [];
    const producer = {
      maxBatchBytes: () => 1024 * 1024,
      send: (_topic: string, messages: unknown[]) => new Promise<void>((resolve) => (release = () => {
        written.push(messages.length);
        resolve();
      })),
    } as unknown as CoalescingProducer;
    const ingest = new IngestConnector({
      config: loadConfig({}).ingest,
      codecs: new Map([[topic, codec]]),
      producer,
      logger: createLogger('test', 'silent'),
      metrics: new IngestMetrics(),
      principalOf: () => ({ type: 'source', source: 'hotline-1022' }) as never,
    });
    const app = Fastify();
    ingest.register(app);
    await app.ready();
    try {
      const inject = () => app.inject({ method: 'POST', url: '/v1/ingest/hotline-1022/citizen-report', headers: { 'content-type': 'application/json' }, payload: JSON.stringify([rawExample('hotline-1022', 'citizen-report')]) });
      const admitted = inject();
      await new Promise((resolve) => setTimeout(resolve, 50));
      let paused = false;
      const pausing = ingest.pause().then(() => (paused = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(paused).toBe(false);
      expect((await inject()).statusCode).toBe(503);
      release();
      expect((await admitted).statusCode).toBe(202);
      await pausing;
      expect(written).toEqual([1]);
      expect(ingest.status().state).toBe('PAUSED');
      await ingest.resume();
      expect(ingest.status().state).toBe('RUNNING');
    } finally {
      await app.close();
    }
  });
});
