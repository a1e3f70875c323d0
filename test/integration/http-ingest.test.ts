import { randomInt, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_NESTING } from '../../connectors/http-ingest/request-body.ts';
import { rawSchema, rawTopic, sourceEntry, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { generate } from '../../services/generator/index.ts';
import { partitionKey } from '../../services/normalizer/mapping/index.ts';
import { rawExample } from '../fixtures/raw-examples.ts';
import { postRecords, startTestApi, type TestApi } from '../support/api.ts';
import { readTopicToEnd, testKafka } from '../support/kafka.ts';
import { deploymentContentId } from '../support/content-id.ts';

/** A valid record of (source, kind) with a unique source record id (or unique content). */
function uniqueRecord(source: string, kind: Kind): Record<string, unknown> {
  const record = rawExample(source, kind);
  const recordId = sourceEntry(source)!.kinds[kind]!.recordId;
  const marker = randomUUID();
  if (recordId !== null) record[recordId] = marker;
  else if (kind === 'checkpoint') record.ghi_chu = marker;
  else record.readerId = marker;
  return record;
}

describe('HTTP ingest', () => {
  const kafka = testKafka();
  let t: TestApi;
  const ingestUrl = (source: string, kind: string) => `${t.url}/v1/ingest/${source}/${kind}`;
  /** Event ids the bad requests would have produced had anything been written. */
  const mustNotBeWritten: { topic: string; marker: string }[] = [];

  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(sourceKinds().map(({ source, kind }) => [`${source}/${kind}`, source, kind] as const))(
    '%s: generated records posted as one batch are on the raw topic, decodable and equal to what was posted',
    async (_name, source, kind) => {
      // A fresh seed per run: the run's Kafka may hold records of earlier runs.
      const items = generate({ seed: randomInt(2 ** 32), counts: { [`${source}/${kind}`]: 25 }, invalid: 0, duplicates: 0, contentId: deploymentContentId() });
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys[source]!, items.map((item) => item.record));
      expect(response.status).toBe(202);
      expect(response.body.rejected).toEqual([]);
      expect(response.body.accepted.map((a: { event_id: string }) => a.event_id)).toEqual(items.map((item) => item.eventId));

      const byEventId = new Map(items.map((item) => [item.eventId!, item]));
      const messages = await readTopicToEnd(kafka, rawTopic(source, kind), (m) => byEventId.has(headerString(m.headers, HEADER.eventId)!));
      expect(messages).toHaveLength(items.length);
      const type = avro.Type.forSchema(rawSchema(source, kind) as avro.Schema);
      for (const { message } of messages) {
        const item = byEventId.get(headerString(message.headers, HEADER.eventId)!)!;
        expect(message.value![0]).toBe(0);
        // Keyed like its canonical record will be (a person's key here), so every source's records of
        // one person share a partition; the source's own id travels in a header.
        expect(message.key!.toString()).toBe(partitionKey({ source, kind, value: item.record, sourceRecordId: item.sourceRecordId! }, t.api.pipeline.personKey));
        expect(headerString(message.headers, HEADER.sourceRecordId)).toBe(item.sourceRecordId);
        // Fields the generator left out come back as their schema defaults.
        expect(await t.api.pipeline.serde.decode(message.value!)).toEqual(type.clone(item.record));
        expect(Number(headerString(message.headers, HEADER.receivedAt))).toBeGreaterThan(Date.now() - 60_000);
      }
    },
  );

  it('gives the same record the same event id every time it is posted', async () => {
    const record = uniqueRecord('vhd', 'health-declaration');
    const first = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, record);
    const second = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, record);
    expect(second.body.accepted[0].event_id).toBe(first.body.accepted[0].event_id);
  });

  it('accepts NDJSON', async () => {
    const records = [uniqueRecord('ncovi', 'health-declaration'), uniqueRecord('ncovi', 'health-declaration')];
    const body = records.map((r) => JSON.stringify(r)).join('\n');
    const response = await postRecords(ingestUrl('ncovi', 'health-declaration'), t.sourceKeys.ncovi!, body, 'application/x-ndjson');
    expect(response.status).toBe(202);
    expect(response.body.accepted.map((a: { index: number }) => a.index)).toEqual([0, 1]);
  });

  describe('refuses bad input precisely and writes nothing of it', () => {
    const source = 'vhd';
    const kind = 'health-declaration';
    const marked = () => {
      const record = uniqueRecord(source, kind);
      mustNotBeWritten.push({ topic: rawTopic(source, kind), marker: String(record.id) });
      return record;
    };

    it('malformed JSON: 400', async () => {
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, `${JSON.stringify(marked())}}`);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'malformed_body', message: expect.stringMatching(/not valid JSON/) });
    });

    it('wrong content type: 415', async () => {
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, JSON.stringify(marked()), 'text/plain');
      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('unsupported_media_type');
    });

    it('oversize body: 413', async () => {
      const padded = { ...marked(), address: 'x'.repeat(t.config.ingest.maxBodyBytes) };
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, padded);
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
    });

    it('too many records: 413', async () => {
      const records = Array.from({ length: t.config.ingest.maxRecordsPerRequest + 1 }, () => rawExample(source, kind));
      records[0] = marked();
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, records);
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('too_many_records');
    });

    it('a missing required field: 422 naming the field', async () => {
      const record = marked();
      delete record.fullName;
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, record);
      expect(response.status).toBe(422);
      expect(response.body.error.details.rejected).toEqual([
        { index: 0, problems: [{ path: 'fullName', message: expect.stringMatching(/missing/) }] },
      ]);
    });

    it('a wrong type: 422 naming the field and the types', async () => {
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, { ...marked(), YoB: 'nineteen eighty' });
      expect(response.status).toBe(422);
      expect(response.body.error.details.rejected[0].problems).toEqual([
        { path: 'YoB', message: expect.stringMatching(/expected int.*got string "nineteen eighty"/) },
      ]);
    });

    it('an unknown field: 422 naming it', async () => {
      const response = await postRecords(ingestUrl(source, kind), t.sourceKeys.vhd!, { ...marked(), fulName: 'NGUYỄN VĂN AN' });
      expect(response.status).toBe(422);
      expect(response.body.error.details.rejected[0].problems).toEqual([{ path: 'fulName', message: expect.stringMatching(/unknown field/) }]);
    });

    it('an unknown source or kind: 404', async () => {
      const unknownSource = await postRecords(ingestUrl('bluezone', kind), t.sourceKeys.vhd!, marked());
      expect(unknownSource.status).toBe(404);
      expect(unknownSource.body.error.code).toBe('unknown_source');
      const unknownKind = await postRecords(ingestUrl(source, 'checkpoint'), t.sourceKeys.vhd!, marked());
      expect(unknownKind.status).toBe(404);
      expect(unknownKind.body.error).toMatchObject({ code: 'unknown_kind', details: { kinds: ['health-declaration', 'movement-declaration'] } });
    });

    it('no key or a wrong key: 401', async () => {
      const none = await postRecords(ingestUrl(source, kind), null, marked());
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const wrong = await postRecords(ingestUrl(source, kind), 'truc_not-a-key', marked());
      expect(wrong.status).toBe(401);
    });

    it("another source's key, or an operator key: 403", async () => {
      const other = await postRecords(ingestUrl(source, kind), t.sourceKeys.ncovi!, marked());
      expect(other.status).toBe(403);
      const operator = await postRecords(ingestUrl(source, kind), t.operatorKey, marked());
      expect(operator.status).toBe(403);
    });

    it('none of it reached the topic', async () => {
      const markers = new Set(mustNotBeWritten.map((m) => m.marker));
      const found = await readTopicToEnd(kafka, rawTopic(source, kind), (m) => markers.has(headerString(m.headers, HEADER.sourceRecordId)!));
      expect(found).toEqual([]);
      expect(markers.size).toBeGreaterThanOrEqual(10);
    });
  });

  it('a batch of 100 with 3 bad records writes exactly the 97 and names the 3', async () => {
    const records: Record<string, unknown>[] = Array.from({ length: 100 }, () => uniqueRecord('vhd', 'health-declaration'));
    delete records[7]!.idCard;
    records[42]!.YoB = null;
    records[99]!.gender = 3;
    const response = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, records);
    expect(response.status).toBe(207);
    expect(response.body.accepted).toHaveLength(97);
    expect(response.body.rejected.map((r: { index: number; problems: { path: string }[] }) => [r.index, r.problems.map((p) => p.path)])).toEqual([
      [7, ['idCard']],
      [42, ['YoB']],
      [99, ['gender']],
    ]);
    const ids = new Set<string>(records.map((r) => String(r.id)));
    const written = await readTopicToEnd(kafka, rawTopic('vhd', 'health-declaration'), (m) => ids.has(headerString(m.headers, HEADER.sourceRecordId)!));
    expect(written.map(({ message }) => headerString(message.headers, HEADER.eventId)).sort()).toEqual(
      response.body.accepted.map((a: { event_id: string }) => a.event_id).sort(),
    );
  });

  it('serves its OpenAPI document', async () => {
    const response = await fetch(`${t.url}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toContain('/v1/ingest/{source}/{kind}');
  });

  describe('isolation and limits', () => {
    it('a record with a 2 MB field gets 413 naming it, while concurrent requests of the other sources and kinds all succeed', async () => {
      const huge: Record<string, unknown> = { ...uniqueRecord('vhd', 'health-declaration'), address: 'x'.repeat(2 * 1024 * 1024) };
      const others = sourceKinds().filter(({ source, kind }) => !(source === 'vhd' && kind === 'health-declaration'));
      expect(new Set(others.map((o) => o.source)).size).toBeGreaterThanOrEqual(4);
      const batches = Array.from({ length: 12 }, (_, i) => others[i % others.length]!).map(({ source, kind }) => ({
        source,
        kind,
        records: Array.from({ length: 20 }, () => uniqueRecord(source, kind)),
      }));
      const [refused, ...answers] = await Promise.all([
        postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, [uniqueRecord('vhd', 'health-declaration'), huge]),
        ...batches.map(({ source, kind, records }) => postRecords(ingestUrl(source, kind), t.sourceKeys[source]!, records)),
      ]);
      expect(refused!.status).toBe(413);
      expect(refused!.body.error).toMatchObject({ code: 'record_too_large', message: expect.stringMatching(/^record 1 takes \d+ bytes/) });
      expect(refused!.body.error.details.records).toEqual([{ index: 1, bytes: expect.any(Number) }]);
      expect(answers.map((a) => a.status)).toEqual(Array(batches.length).fill(202));
      // The refused request wrote nothing, not even its valid first record.
      const marker = String(huge.id);
      expect(await readTopicToEnd(kafka, rawTopic('vhd', 'health-declaration'), (m) => headerString(m.headers, HEADER.sourceRecordId) === marker)).toEqual([]);
    });

    it('under load, batches whose records together exceed what Kafka takes in one request are all acknowledged (no 503)', async () => {
      // 12 concurrent requests of 100 records of ~3.5 KB, all of one person (so of one partition):
      // ~4 MB that one coalesced produce request would put in a single batch, over the broker's 1 MiB.
      const requests = Array.from({ length: 12 }, () =>
        Array.from({ length: 100 }, (): Record<string, unknown> => ({ ...uniqueRecord('vhd', 'health-declaration'), address: `Số ${randomUUID()} `.repeat(80) })),
      );
      const answers = await Promise.all(requests.map((records) => postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, records)));
      expect(answers.map((a) => a.status)).toEqual(Array(requests.length).fill(202));
      const ids = new Set(requests.flat().map((r) => String(r.id)));
      const written = await readTopicToEnd(kafka, rawTopic('vhd', 'health-declaration'), (m) => ids.has(headerString(m.headers, HEADER.sourceRecordId)!));
      expect(new Set(written.map((w) => headerString(w.message.headers, HEADER.sourceRecordId))).size).toBe(ids.size);
    });

    it('one request whose records are more than Kafka takes in one write is written in parts and acknowledged whole', async () => {
      // 400 records of ~3.5 KB of one person: ~1.4 MB for one partition, over the broker's 1 MiB per write.
      const records = Array.from({ length: 400 }, (): Record<string, unknown> => ({ ...uniqueRecord('vhd', 'health-declaration'), address: `Số ${randomUUID()} `.repeat(80) }));
      const answer = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, records);
      expect(answer.status).toBe(202);
      const ids = new Set(records.map((r) => String(r.id)));
      const written = await readTopicToEnd(kafka, rawTopic('vhd', 'health-declaration'), (m) => ids.has(headerString(m.headers, HEADER.sourceRecordId)!));
      expect(written).toHaveLength(records.length);
    });

    it('pathological nesting is a 400 (JSON) or one rejected line (NDJSON), never a 500', async () => {
      const deep = '['.repeat(100_000);
      for (const body of [deep, `[${deep}`, `{"id":${deep}`, `[${JSON.stringify(uniqueRecord('vhd', 'health-declaration'))},{"a":${'{"b":'.repeat(MAX_RECORD_NESTING + 1)}`]) {
        const response = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, body);
        expect(response.status).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'too_deeply_nested', message: expect.stringMatching(/nests deeper than 32 levels \(at byte \d+\)/) });
      }
      const good = uniqueRecord('vhd', 'health-declaration');
      const lines = await postRecords(ingestUrl('vhd', 'health-declaration'), t.sourceKeys.vhd!, `${deep}\n${JSON.stringify(good)}\n`, 'application/x-ndjson');
      expect(lines.status).toBe(207);
      expect(lines.body.rejected).toEqual([{ index: 0, problems: [{ path: '(record)', message: 'line nests deeper than 32 levels' }] }]);
      expect(lines.body.accepted.map((a: { source_record_id: string }) => a.source_record_id)).toEqual([good.id]);
      // The API still serves.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    });

    it('too many records: 413 as soon as the one over the limit has arrived, while the body is still being sent', async () => {
      const url = new URL(ingestUrl('vhd', 'health-declaration'));
      const record = JSON.stringify(rawExample('vhd', 'health-declaration'));
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.sourceKeys.vhd}` } });
        req.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            resolve({ status: response.statusCode!, body });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.write(`[${Array(t.config.ingest.maxRecordsPerRequest + 1).fill(record).join(',')},`);
        // The body is never finished: the answer can only come from counting while reading.
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error).toMatchObject({ code: 'too_many_records', message: expect.stringMatching(/more than 5000 records/) });
    });
  });
});
