import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileConnector } from '../../connectors/file/file-connector.ts';
import { fileReads } from '../../connectors/file/file-reads.ts';
import type { OffsetChanges, SourceOffset, SourceRecord } from '../../connectors/runtime/source-connector.ts';
import { createLogger } from '../../services/platform/logger.ts';

/** Plays the runner's part without Kafka: polls, "commits" offsets into `committed`, reports back. */
class FakeRunner {
  readonly committed = new Map<string, SourceOffset>();
  readonly published: SourceRecord[] = [];
  readonly changes: OffsetChanges[] = [];

  async start(connector: FileConnector): Promise<void> {
    await connector.start(new Map(this.committed));
  }

  /** Polls and commits up to `batches` batches (all when omitted); returns false once idle. */
  async run(connector: FileConnector, batches = Infinity): Promise<boolean> {
    for (let i = 0; i < batches; i += 1) {
      const batch = await connector.poll();
      if (batch === null) return false;
      const published = batch.records.filter((record) => record.parsed.ok).length;
      const offsets = batch.offsets({ published, rejected: batch.records.length - published });
      for (const [partition, offset] of offsets) {
        if (offset === null) this.committed.delete(partition);
        else this.committed.set(partition, offset);
      }
      this.published.push(...batch.records);
      this.changes.push(offsets);
      connector.committed(offsets);
    }
    return true;
  }
}

describe('file connector offsets (no Kafka)', () => {
  let dropDir: string;
  const connector = () =>
    new FileConnector({
      dropDir,
      pollIntervalMs: 100,
      batchRecords: 3,
      reads: fileReads('checkpoint-ops', 'checkpoint', 'checkpoint-passage'),
      connectorName: 'files-test',
      logger: createLogger('test', 'silent'),
    });
  const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify({ n: from + i })).join('\n') + '\n';
  const numbers = (records: SourceRecord[]) => records.map((record) => (record.parsed.ok ? (record.parsed.value as { n: number }).n : null));
  const report = async (name: string) => JSON.parse(await readFile(path.join(dropDir, 'done', `${name}.report.json`), 'utf8'));

  beforeEach(async () => {
    dropDir = await mkdtemp(path.join(tmpdir(), 'truc-file-connector-'));
  });
  afterEach(async () => {
    await rm(dropDir, { recursive: true, force: true });
  });

  it('resumes a crashed run after the last committed batch, and its report counts both runs', async () => {
    await writeFile(path.join(dropDir, 'gate.ndjson'), `${lines(4)}not json\n${lines(3, 4)}`);
    const runner = new FakeRunner();
    const first = connector();
    await runner.start(first);
    await runner.run(first, 2);
    // A third batch is read but the crash comes before its transaction commits.
    expect(await first.poll()).not.toBeNull();

    const second = connector();
    await runner.start(second);
    expect(await runner.run(second)).toBe(false);
    expect(numbers(runner.published)).toEqual([0, 1, 2, 3, null, 4, 5, 6]);
    expect(runner.published[4]!.position).toBe('gate.ndjson:5');

    expect(existsSync(path.join(dropDir, 'gate.ndjson'))).toBe(false);
    expect(await report('gate.ndjson')).toMatchObject({ file: 'gate.ndjson', lines_read: 8, published: 7, rejected: 1, connector: 'files-test' });
    // The finished file's offset is deleted once it has moved.
    expect(runner.changes.at(-1)).toEqual(new Map([['gate.ndjson', null]]));
    expect(runner.committed.size).toBe(0);
  });

  it('finishes the move of a file whose last batch was committed just before a crash', async () => {
    await writeFile(path.join(dropDir, 'a.ndjson'), lines(2));
    const runner = new FakeRunner();
    const first = connector();
    await runner.start(first);
    await runner.run(first, 1);
    expect(runner.committed.get('a.ndjson')).toMatchObject({ finishedAt: expect.any(String) });
    expect(existsSync(path.join(dropDir, 'a.ndjson'))).toBe(true);

    const second = connector();
    await runner.start(second);
    await runner.run(second);
    expect(numbers(runner.published)).toEqual([0, 1]);
    expect(await report('a.ndjson')).toMatchObject({ lines_read: 2, published: 2 });
    expect(runner.committed.size).toBe(0);
  });

  it('reads files one at a time in name order, and a later file of a known name afresh', async () => {
    await writeFile(path.join(dropDir, 'b.ndjson'), lines(1, 10));
    await writeFile(path.join(dropDir, 'a.ndjson'), lines(1, 0));
    await writeFile(path.join(dropDir, '.hidden.ndjson'), lines(1, 99));
    await writeFile(path.join(dropDir, 'c.ndjson.part'), lines(1, 99));
    const runner = new FakeRunner();
    const files = connector();
    await runner.start(files);
    await runner.run(files);
    expect(numbers(runner.published)).toEqual([0, 10]);

    await writeFile(path.join(dropDir, 'a.ndjson'), lines(2, 20));
    await runner.run(files);
    expect(numbers(runner.published)).toEqual([0, 10, 20, 21]);
  });

  it('starts afresh when a file was replaced by another of the same name, and forgets a file that was deleted', async () => {
    await writeFile(path.join(dropDir, 'a.ndjson'), lines(5));
    await writeFile(path.join(dropDir, 'b.ndjson'), lines(5, 10));
    const runner = new FakeRunner();
    const first = connector();
    await runner.start(first);
    await runner.run(first, 1);
    expect(runner.committed.get('a.ndjson')).toMatchObject({ position: { records: 3 } });

    await unlink(path.join(dropDir, 'a.ndjson'));
    await writeFile(path.join(dropDir, 'a.ndjson'), lines(6, 100));
    const second = connector();
    await runner.start(second);
    await runner.run(second, 1);
    expect(numbers(runner.published)).toEqual([0, 1, 2, 100, 101, 102]);

    await unlink(path.join(dropDir, 'a.ndjson'));
    await runner.run(second, 1);
    expect(runner.changes.at(-1)).toEqual(new Map([['a.ndjson', null]]));
    await runner.run(second);
    expect(numbers(runner.published)).toEqual([0, 1, 2, 100, 101, 102, 10, 11, 12, 13, 14]);
  });
});
