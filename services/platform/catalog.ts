/**
 * The catalogue: the canonical kinds (one folder each, `schemas/kinds/<kind>/`: `kind.json` and
 * `canonical.avsc`, listed in KINDS) and the source systems (one folder each,
 * `connectors/sources/<id>/`: `source.json` and `raw/<kind>.avsc`, listed in
 * `connectors/sources/registry.json`), the topic names derived from them (docs/architecture.md,
 * "Topics") and their Avro schemas. Both lists are checked against the folders when this module
 * loads, so a folder cannot be forgotten and a listed name cannot lack its folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';
import { SCHEMAS_DIR, readSchemaFile, type AvroSchema } from './schema-files.ts';

/** The registry of kinds: one line per folder of `schemas/kinds/` (checked when this module loads). */
export const KINDS = [
  'health-declaration',
  'movement-declaration',
  'citizen-report',
  'checkpoint',
  'checkpoint-passage',
  'test-result',
] as const;
export type Kind = (typeof KINDS)[number];

const KINDS_DIR = path.join(SCHEMAS_DIR, 'kinds');
const SOURCES_DIR = path.join(REPO_ROOT, 'connectors', 'sources');

export interface KindEntry {
  doc: string;
  /** Canonical field whose value keys the canonical topic. */
  key: string;
  /** Compacted canonical topic (the latest record per key is the truth, e.g. the checkpoint registry). */
  compacted?: boolean;
  /**
   * Dotted paths of the answers that make two records of one person the same declaration whichever
   * source carried them (services/normalizer/fingerprint.ts); absent: the kind is not deduplicated
   * across sources.
   */
  fingerprint?: string[];
}

export interface SourceKindEntry {
  /** Dotted path of the raw field holding the source's own record id; null: a keyed content id stands in. */
  recordId: string | null;
  /** How common the pair is in the demo feed's default mix, in percent of all generated records. */
  weight: number;
}

export interface SourceEntry {
  doc: string;
  kinds: Partial<Record<Kind, SourceKindEntry>>;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${path.relative(REPO_ROOT, file)}: ${(error as Error).message}`);
  }
}

/** The subfolders of a folder, by name. */
function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

function readSourceEntries(): Record<string, SourceEntry> {
  const registry = readJson(path.join(SOURCES_DIR, 'registry.json')) as { sources?: unknown };
  const ids = registry.sources;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(id))) {
    throw new Error('connectors/sources/registry.json: "sources" must be a list of source ids (lower case letters, digits and -)');
  }
  const onDisk = folders(SOURCES_DIR);
  const unlisted = onDisk.filter((folder) => !ids.includes(folder));
  const missing = ids.filter((id) => !onDisk.includes(id));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(`connectors/sources: folders ${JSON.stringify(unlisted)} are not in registry.json, and registry.json's ${JSON.stringify(missing)} have no folder`);
  }
  return Object.fromEntries(ids.map((id: string) => [id, checkedSourceEntry(id)]));
}

function checkedSourceEntry(id: string): SourceEntry {
  const where = `connectors/sources/${id}/source.json`;
  const entry = readJson(path.join(SOURCES_DIR, id, 'source.json')) as SourceEntry;
  if (typeof entry?.doc !== 'string' || entry.kinds === null || typeof entry.kinds !== 'object') throw new Error(`${where}: needs "doc" (text) and "kinds" (an object)`);
  for (const [kind, pair] of Object.entries(entry.kinds)) {
    if (!isKind(kind)) throw new Error(`${where}: kinds.${kind} is not a kind (${KINDS.join(', ')})`);
    if (pair.recordId !== null && typeof pair.recordId !== 'string') throw new Error(`${where}: kinds.${kind}.recordId must be a field path or null`);
    if (typeof pair.weight !== 'number' || !(pair.weight >= 0)) throw new Error(`${where}: kinds.${kind}.weight must be a number >= 0`);
    if (!existsSync(path.join(SOURCES_DIR, id, 'raw', `${kind}.avsc`))) throw new Error(`${where}: kinds.${kind} has no raw schema raw/${kind}.avsc`);
  }
  return entry;
}

function readKindEntries(): Record<Kind, KindEntry> {
  const onDisk = folders(KINDS_DIR);
  const unlisted = onDisk.filter((folder) => !isKind(folder));
  const missing = KINDS.filter((kind) => !onDisk.includes(kind));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(`schemas/kinds: folders ${JSON.stringify(unlisted)} are not in KINDS, and KINDS ${JSON.stringify(missing)} have no folder`);
  }
  return Object.fromEntries(
    KINDS.map((kind) => [kind, readJson(path.join(KINDS_DIR, kind, 'kind.json')) as KindEntry]),
  ) as Record<Kind, KindEntry>;
}

const kinds = readKindEntries();
const sources = readSourceEntries();

/** The source ids, in registry order. */
export const SOURCES: readonly string[] = Object.keys(sources);

/** A source's folder, relative to the repository's root. */
export function sourceFolder(source: string): string {
  return `connectors/sources/${source}`;
}

/** A kind's folder, relative to the repository's root. */
export function kindFolder(kind: Kind): string {
  return `schemas/kinds/${kind}`;
}

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

export function kindEntry(kind: Kind): KindEntry {
  return kinds[kind];
}

export function sourceEntry(source: string): SourceEntry | undefined {
  return Object.hasOwn(sources, source) ? sources[source] : undefined;
}

/** The (source, kind) pairs Truc accepts, in catalogue order. */
export function sourceKinds(): { source: string; kind: Kind }[] {
  return SOURCES.flatMap((source) =>
    (Object.keys(sources[source]!.kinds) as Kind[]).map((kind) => ({ source, kind })),
  );
}

export function sourcePublishes(source: string, kind: string): kind is Kind {
  const entry = sourceEntry(source);
  return entry !== undefined && isKind(kind) && entry.kinds[kind] !== undefined;
}

export function rawTopic(source: string, kind: Kind): string {
  return `raw.${source}.${kind}`;
}

export function canonicalTopic(kind: Kind): string {
  return `canonical.${kind}`;
}

export function rawSchema(source: string, kind: Kind): AvroSchema {
  return readSchemaFile(`${sourceFolder(source)}/raw/${kind}.avsc`);
}

export function canonicalSchema(kind: Kind): AvroSchema {
  return readSchemaFile(`${kindFolder(kind)}/canonical.avsc`);
}
