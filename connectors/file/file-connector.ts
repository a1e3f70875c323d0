/**
 * The file connector: reads the files of a drop folder (see drop-folder.ts for the folder's
 * conventions; file-reads.ts for which formats it reads, to which raw topics) and hands their
 * records to the runner in batches.
 *
 * Its source partitions are the file names; a file's offset holds the file's identity (so a later
 * file of the same name starts afresh), the position after the last committed record, the counts
 * of published and rejected records and when reading started and finished. Once the offset that
 * marks a file finished is committed, the file moves to `done/` with its report, and its offset is
 * deleted in the next transaction. A crash between those steps is repaired by the next start, which
 * finds a finished file still in the folder (moves it), or an offset without a file (deletes it).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../services/platform/logger.ts';
import type { OffsetChanges, SourceBatch, SourceConnector, SourceOffset, SourceRecord } from '../runtime/source-connector.ts';
import { fileIdentity, moveToDone, readyFiles, sameFile, type FileIdentity } from './drop-folder.ts';
import { FILE_START, fileFormat, fileRecords, type FileFormat, type FilePosition, type FileRecord } from './file-records.ts';
import { topicOf, type FileReads } from './file-reads.ts';

export interface FileOffset extends SourceOffset {
  file: FileIdentity;
  position: FilePosition;
  published: number;
  rejected: number;
  startedAt: string;
  /** Set by the batch that reached the end of the file. */
  finishedAt: string | null;
}

export interface FileConnectorOptions {
  dropDir: string;
  pollIntervalMs: number;
  batchRecords: number;
  reads: FileReads;
  /** Named in the reports. */
  connectorName: string;
  logger: Logger;
}

interface OpenFile {
  name: string;
  format: FileFormat;
  records: AsyncGenerator<FileRecord>;
  /** The offset after the last batch handed out (committed or not yet). */
  offset: FileOffset;
}

export class FileConnector implements SourceConnector {
  readonly type = 'file';
  readonly idleMs: number;
  private readonly options: FileConnectorOptions;
  private readonly formats: ReadonlySet<FileFormat>;
  private committedOffsets = new Map<string, FileOffset>();
  private open: OpenFile | null = null;
  private filesDone = 0;

  constructor(options: FileConnectorOptions) {
    this.options = options;
    this.idleMs = options.pollIntervalMs;
    const { csv, json } = options.reads;
    this.formats = new Set<FileFormat>([...(csv ? ['csv' as const] : []), ...(json ? ['ndjson' as const, 'json' as const] : [])]);
  }

  async start(offsets: ReadonlyMap<string, SourceOffset>): Promise<void> {
    await this.closeFile();
    this.committedOffsets = new Map(offsets as ReadonlyMap<string, FileOffset>);
    await mkdir(this.options.dropDir, { recursive: true });
  }

  async poll(): Promise<SourceBatch | null> {
    try {
      return await this.nextBatch();
    } catch (error) {
      // Forget what was read past the last batch handed out, so the next poll reads it again.
      await this.closeFile();
      throw error;
    }
  }

  committed(offsets: OffsetChanges): void {
    for (const [name, offset] of offsets) {
      if (offset === null) this.committedOffsets.delete(name);
      else this.committedOffsets.set(name, offset as FileOffset);
    }
    // A finished file's reader has reached its end; the next poll moves the file aside.
    if (this.open && this.committedOffsets.get(this.open.name)?.finishedAt) this.open = null;
  }

  async stop(): Promise<void> {
    await this.closeFile();
  }

  details(): Record<string, unknown> {
    return {
      dropDir: this.options.dropDir,
      file: this.open?.name ?? null,
      recordsRead: this.open?.offset.position.records ?? null,
      nextLine: this.open?.offset.position.line ?? null,
      filesDone: this.filesDone,
    };
  }

  private path(name: string): string {
    return path.join(this.options.dropDir, name);
  }

  private async nextBatch(): Promise<SourceBatch | null> {
    const present = new Set(await readyFiles(this.options.dropDir, this.formats));
    for (const [name, offset] of this.committedOffsets) {
      if (offset.finishedAt === null || !present.has(name)) continue;
      const identity = await fileIdentity(this.path(name));
      if (identity !== null && sameFile(identity, offset.file)) {
        await this.moveAside(name, offset);
        present.delete(name);
      }
    }
    if (this.open && !present.has(this.open.name)) {
      this.options.logger.warn({ file: this.open.name }, 'file disappeared from the drop folder before it was read to the end');
      await this.closeFile();
    }
    const gone = [...this.committedOffsets.keys()].filter((name) => !present.has(name));
    if (gone.length > 0) return { records: [], offsets: () => new Map(gone.map((name) => [name, null])) };

    this.open ??= await this.openNextFile([...present].sort());
    return this.open === null ? null : this.readBatch(this.open);
  }

  /** The first file (in name order) with records left to read, opened at its committed position. */
  private async openNextFile(names: string[]): Promise<OpenFile | null> {
    for (const name of names) {
      const identity = await fileIdentity(this.path(name));
      if (identity === null) continue;
      const committed = this.committedOffsets.get(name);
      const resumed = committed !== undefined && sameFile(committed.file, identity);
      if (resumed && committed.finishedAt !== null) continue;
      const offset: FileOffset = resumed
        ? committed
        : { file: identity, position: FILE_START, published: 0, rejected: 0, startedAt: new Date().toISOString(), finishedAt: null };
      const format = fileFormat(name)!;
      this.options.logger.info({ file: name, fromLine: offset.position.line, fromRecord: offset.position.records }, resumed ? 'resuming file' : 'reading file');
      // readyFiles lists a CSV file only when the folder reads CSV.
      const records = fileRecords(this.path(name), name, format, offset.position, this.options.reads.csv?.schema ?? null);
      return { name, format, records, offset };
    }
    return null;
  }

  private async readBatch(open: OpenFile): Promise<SourceBatch> {
    const topic = topicOf(this.options.reads, open.format)!;
    const records: SourceRecord[] = [];
    let position = open.offset.position;
    let finished = false;
    while (records.length < this.options.batchRecords) {
      const next = await open.records.next();
      if (next.done) {
        finished = true;
        break;
      }
      const { parsed, position: where, raw } = next.value;
      records.push({ topic, parsed, position: where, raw });
      position = next.value.next;
    }
    const before = open.offset;
    return {
      records,
      offsets: ({ published, rejected }) => {
        open.offset = {
          ...before,
          position,
          published: before.published + published,
          rejected: before.rejected + rejected,
          finishedAt: finished ? new Date().toISOString() : null,
        };
        return new Map([[open.name, open.offset]]);
      },
    };
  }

  private async moveAside(name: string, offset: FileOffset): Promise<void> {
    const finishedAt = offset.finishedAt!;
    const report = {
      file: name,
      connector: this.options.connectorName,
      topic: topicOf(this.options.reads, fileFormat(name)!),
      bytes: offset.file.size,
      lines_read: offset.position.records,
      published: offset.published,
      rejected: offset.rejected,
      started_at: offset.startedAt,
      finished_at: finishedAt,
    };
    const target = await moveToDone(this.options.dropDir, name, finishedAt, report);
    this.filesDone += 1;
    this.options.logger.info({ file: name, movedTo: target, published: offset.published, rejected: offset.rejected }, 'file done');
  }

  private async closeFile(): Promise<void> {
    const open = this.open;
    this.open = null;
    // Ends the generator, which closes the file.
    await open?.records.return(undefined);
  }
}
