/**
 * The `file` connector type: a drop folder inside the connectors' drop root (CONNECT_DROP_ROOT)
 * whose CSV files hold records of one (source, kind) and whose NDJSON/JSON files those of another
 * (or the same) kind of that source. Each file of a folder is read by one connector only, so two
 * instances may share a folder only when they read different formats.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Kind } from '../../services/platform/catalog.ts';
import type { ConnectorConfig, FieldSpec, ValidationContext } from '../runtime/config-spec.ts';
import { kindProblems, sourceField, type ConnectorType } from '../runtime/connector-type.ts';
import type { SourceOffset } from '../runtime/source-connector.ts';
import { DONE_FOLDER } from './drop-folder.ts';
import { FileConnector } from './file-connector.ts';
import { csvReadable, fileReads } from './file-reads.ts';

export interface FileTypeSettings {
  /** Every instance's folder lies inside it. */
  dropRoot: string;
}

/** Why `folder` may not be a drop folder inside `root`, from its text; null when it may. */
export function folderProblem(folder: string): string | null {
  if (folder.includes('\0')) return 'must not contain a NUL character';
  if (path.isAbsolute(folder) || path.win32.isAbsolute(folder)) return 'must be a path relative to the drop root (CONNECT_DROP_ROOT), not an absolute one';
  const parts = folder.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return 'must stay inside the drop root: ".." is not allowed';
  if (parts.length === 0) return 'must name a folder inside the drop root, not the root itself';
  if (parts.some((part) => part.startsWith('.'))) return 'must not name a hidden folder (a part starting with ".")';
  if (parts.includes(DONE_FOLDER)) return `must not be or lie in a "${DONE_FOLDER}" folder, where finished files go`;
  return null;
}

/** The folder as stored, in one spelling (`a//b/` and `a/b` are the same folder). */
function normalFolder(folder: string): string {
  return folder.split(/[\\/]+/).filter((part) => part !== '' && part !== '.').join('/');
}

async function folderProblems(root: string, folder: string, config: ConnectorConfig, context: ValidationContext): Promise<string[]> {
  const problem = folderProblem(folder);
  if (problem !== null) return [problem];
  // A folder already there may be a link out of the root.
  const real = await realpath(path.join(root, folder)).catch(() => null);
  const realRoot = await realpath(root).catch(() => root);
  if (real !== null && path.relative(realRoot, real).split(path.sep)[0] === '..') return ['must stay inside the drop root: it leads out of it through a link'];
  const problems: string[] = [];
  for (const other of context.others) {
    if (other.type !== 'file' || typeof other.config.folder !== 'string' || normalFolder(other.config.folder) !== normalFolder(folder)) continue;
    if (config.csvKind !== null && other.config.csvKind != null) problems.push(`its CSV files are read by connector ${other.name} already`);
    if (config.jsonKind !== null && other.config.jsonKind != null) problems.push(`its NDJSON/JSON files are read by connector ${other.name} already`);
  }
  return problems;
}

const csvProblem = (source: string, kind: string) =>
  csvReadable(source, kind as Kind) ? null : `${source}'s ${kind} records cannot be read from CSV: there is no header mapping connectors/sources/${source}/raw/${kind}.csv-headers.json`;

/** A file offset as the file connector writes it (file-connector.ts, FileOffset). */
function fileOffsetProblem(partition: string, offset: SourceOffset): string | null {
  if (partition.includes('/') || partition.includes('\\') || partition.startsWith('.')) return `partition ${JSON.stringify(partition)} is not a file name of the folder`;
  const { file, position, published, rejected, startedAt, finishedAt } = offset as Record<string, unknown>;
  const numbers = (value: unknown, names: string[]) =>
    value !== null && typeof value === 'object' && names.every((name) => Number.isSafeInteger((value as Record<string, unknown>)[name]) && ((value as Record<string, number>)[name] ?? -1) >= 0);
  const fileOk = file !== null && typeof file === 'object' && typeof (file as { ino?: unknown }).ino === 'string' && numbers(file, ['size']) && typeof (file as { mtimeMs?: unknown }).mtimeMs === 'number';
  if (!fileOk) return 'offset.file must be {"ino": string, "size": integer, "mtimeMs": number} (the identity of the file)';
  if (!numbers(position, ['records', 'byte', 'line'])) return 'offset.position must be {"records", "byte", "line"}: integers, where reading resumes';
  if (!Number.isSafeInteger(published) || !Number.isSafeInteger(rejected)) return 'offset.published and offset.rejected must be integers';
  if (typeof startedAt !== 'string' || (finishedAt !== null && typeof finishedAt !== 'string')) return 'offset.startedAt must be a time, offset.finishedAt a time or null';
  return null;
}

export function fileConnectorType(settings: FileTypeSettings): ConnectorType {
  const fields: FieldSpec[] = [
    sourceField('The source system whose files the folder receives (a source of the catalogue).', (_value, config) =>
      config.csvKind === null && config.jsonKind === null ? ['the folder reads nothing of it: set csvKind, jsonKind or both'] : [],
    ),
    {
      name: 'csvKind',
      type: 'string',
      default: null,
      doc: "The kind of the records in the folder's `*.csv` files (the source's CSV header mapping for it is needed); null: CSV files are left alone.",
      check: (value, config) => kindProblems(config.source, String(value), csvProblem),
    },
    {
      name: 'jsonKind',
      type: 'string',
      default: null,
      doc: "The kind of the records in the folder's `*.ndjson` (one JSON object per line) and `*.json` (one array) files; null: those files are left alone.",
      check: (value, config) => kindProblems(config.source, String(value)),
    },
    {
      name: 'folder',
      type: 'string',
      doc: 'The drop folder, relative to the drop root (CONNECT_DROP_ROOT); made when missing. Finished files move to its `done/` subfolder.',
      check: (value, config, context) => folderProblems(settings.dropRoot, String(value), config, context),
    },
    { name: 'pollIntervalMs', type: 'int', default: 1_000, min: 50, max: 3_600_000, doc: 'How often an idle connector looks for new files (ms).' },
    { name: 'batchRecords', type: 'int', default: 500, min: 1, max: 10_000, doc: 'Records per Kafka transaction.' },
  ];
  return {
    name: 'file',
    doc: 'Reads the files writers drop into a folder (write, then rename into place), once each, and moves each finished file to done/ with a report.',
    fields,
    create(name, config, logger) {
      const source = config.source as string;
      return new FileConnector({
        dropDir: path.join(settings.dropRoot, config.folder as string),
        pollIntervalMs: config.pollIntervalMs as number,
        batchRecords: config.batchRecords as number,
        reads: fileReads(source, config.csvKind as Kind | null, config.jsonKind as Kind | null),
        connectorName: name,
        logger: logger.child({ connector: name }),
      });
    },
    offsetProblem: fileOffsetProblem,
  };
}
