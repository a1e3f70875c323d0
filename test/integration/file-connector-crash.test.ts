import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAvroSerde } from '../../services/platform/avro-serde.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { HEADER, headerString } from '../../services/platform/record-headers.ts';
import { killAll, startConnectorProcess, type ConnectorProcess, type LogLine } from '../support/connector-process.ts';
import { readTopicUntil, testKafka, uniqueName } from '../support/kafka.ts';

const CSV_ROWS = 3000;
const NDJSON_LINES = 2000;
/** Rows with a wrong number of fields: dead letters, which must not repeat either. */
const BAD_ROWS = new Set([999, 1999, 2999]);

const committedAtLeast = (records: number, file?: string) => (line: LogLine) =>
  line.msg === 'batch committed' && Number(line.total) >= records && (file === undefined || (line.partitions as string[]).includes(file));

describe('file connector killed with SIGKILL mid-stream', () => {
  const name = uniqueName('test-file-crash');
  const tag = name.toUpperCase();
  const kafka = testKafka();
  const serde = createAvroSerde(loadConfig().schemaRegistry);
  let dropDir: string;

  const start = (): ConnectorProcess =>
    startConnectorProcess({
      FILE_CONNECTOR_DIR: dropDir,
      FILE_CONNECTOR_NAME: name,
      CONNECT_CONFIG_TOPIC: `test-connect-configs-${name}`,
      FILE_CONNECTOR_BATCH: '50',
      FILE_CONNECTOR_POLL_MS: '100',
      LOG_LEVEL: 'debug',
    });

  async function kill(run: ConnectorProcess): Promise<void> {
    run.child.kill('SIGKILL');
    expect(await run.exited).toBeNull();
  }

  beforeAll(async () => {
    dropDir = await mkdtemp(path.join(tmpdir(), 'truc-drop-crash-'));
    const header = 'Mã chốt,Tên chốt,Loại chốt,Tỉnh/TP,Ghi chú';
    const rows = Array.from({ length: CSV_ROWS }, (_, i) =>
      BAD_ROWS.has(i) ? `${tag}-${i},missing columns` : `${tag}-${i},"Chốt số ${i}, đường ${i % 7}",Đường bộ,Bình Dương,"dòng 1\ndòng 2"`,
    );
    const lines = Array.from({ length: NDJSON_LINES }, (_, i) =>
      JSON.stringify({ checkpointCode: `${tag}-CP`, readerId: `${tag}-${i}`, direction: 'IN', readTime: '2021-08-14 06:58:31', method: 'QR' }),
    );
    // Written whole under temporary names, then renamed into place (the drop folder's convention).
    await writeFile(path.join(dropDir, 'checkpoints.csv.tmp'), `${header}\r\n${rows.join('\r\n')}\r\n`);
    await writeFile(path.join(dropDir, 'gate.ndjson.tmp'), `${lines.join('\n')}\n`);
    await rename(path.join(dropDir, 'checkpoints.csv.tmp'), path.join(dropDir, 'checkpoints.csv'));
    await rename(path.join(dropDir, 'gate.ndjson.tmp'), path.join(dropDir, 'gate.ndjson'));
  });

  afterAll(async () => {
    await killAll();
    await rm(dropDir, { recursive: true, force: true });
  });

  it('resumes after each kill where the last committed batch ended: every line exactly once', async () => {
    // 1: killed right after a commit.
    let run = start();
    await run.waitForLog(committedAtLeast(400));
    await kill(run);

    // 2: killed a few milliseconds after a commit, while the next batch is being written.
    run = start();
    await run.waitForLog((line) => line.msg === 'resuming file' && line.file === 'checkpoints.csv');
    await run.waitForLog(committedAtLeast(700));
    await sleep(5);
    await kill(run);

    // 3: killed inside the second file, after the first was moved aside.
    run = start();
    await run.waitForLog(committedAtLeast(1, 'gate.ndjson'), 45_000);
    await kill(run);

    // 4: runs to the end, then stops cleanly.
    run = start();
    await run.waitForLog((line) => line.msg === 'file done' && line.file === 'gate.ndjson', 45_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const keep = { keep: (message: KafkaMessage) => headerString(message.headers, HEADER.connector) === name };
    // Waits for `expected` records (and any repeat committed before them), counted by `field`.
    const countBy = async (topic: string, field: string, expected: number) => {
      const counts = new Map<string, number>();
      for (const { message } of await readTopicUntil(kafka, topic, expected, keep)) {
        const id = String((await serde.decode(message.value!))[field]);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };

    const checkpoints = await countBy('raw.checkpoint-ops.checkpoint', 'ma_chot', CSV_ROWS - BAD_ROWS.size);
    expect(checkpoints.size).toBe(CSV_ROWS - BAD_ROWS.size);
    expect([...checkpoints.values()].every((count) => count === 1)).toBe(true);
    for (let i = 0; i < CSV_ROWS; i += 1) expect(checkpoints.has(`${tag}-${i}`)).toBe(!BAD_ROWS.has(i));

    const passages = await countBy('raw.checkpoint-ops.checkpoint-passage', 'readerId', NDJSON_LINES);
    expect(passages.size).toBe(NDJSON_LINES);
    expect([...passages.values()].every((count) => count === 1)).toBe(true);

    // Header on line 1; each row spans two lines (a quoted line break), bad rows one.
    const deadLetters = (await readTopicUntil(kafka, 'dlq.ingest', BAD_ROWS.size, keep)).map(({ message }) => headerString(message.headers, HEADER.dlqPosition));
    expect(deadLetters.sort()).toEqual([...BAD_ROWS].map((i) => `checkpoints.csv:${2 + 2 * i - [...BAD_ROWS].filter((b) => b < i).length}`).sort());

    // The reports count across the crashes too.
    const report = async (file: string) => JSON.parse(await readFile(path.join(dropDir, 'done', `${file}.report.json`), 'utf8'));
    expect(await report('checkpoints.csv')).toMatchObject({ lines_read: CSV_ROWS, published: CSV_ROWS - BAD_ROWS.size, rejected: BAD_ROWS.size });
    expect(await report('gate.ndjson')).toMatchObject({ lines_read: NDJSON_LINES, published: NDJSON_LINES, rejected: 0 });
    expect(existsSync(path.join(dropDir, 'checkpoints.csv'))).toBe(false);
  }, 120_000);
});
