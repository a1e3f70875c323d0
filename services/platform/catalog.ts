/**
 * The catalogue of canonical kinds (one folder each, `schemas/kinds/<kind>/`: `kind.json` and
 * `canonical.avsc`) and source systems (`schemas/catalog.json`), the topic names derived from them
 * (docs/architecture.md, "Topics") and their Avro schemas (`schemas/`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AvroSchema } from './avro-serde.ts';
import { SCHEMAS_DIR, readSchemaFile } from './schema-files.ts';

/** The registry of kinds: one line per folder of `schemas/kinds/` (checked when this module loads). */
export const KINDS = ['health-declaration', 'movement-declaration', 'citizen-report', 'checkpoint', 'checkpoint-passage'] as const;
export type Kind = (typeof KINDS)[number];

const KINDS_DIR = path.join(SCHEMAS_DIR, 'kinds');

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
  /** Dotted path of the raw field holding the source's own record id; null: a content hash stands in. */
  recordId: string | null;
}

export interface SourceEntry {
  doc: string;
  kinds: Partial<Record<Kind, SourceKindEntry>>;
}

interface CatalogFile {
  sources: Record<string, SourceEntry>;
}

const catalog = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'catalog.json'), 'utf8')) as CatalogFile;

function readKindEntries(): Record<Kind, KindEntry> {
  const folders = readdirSync(KINDS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const unlisted = folders.filter((folder) => !isKind(folder));
  const missing = KINDS.filter((kind) => !folders.includes(kind));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(`schemas/kinds: folders ${JSON.stringify(unlisted)} are not in KINDS, and KINDS ${JSON.stringify(missing)} have no folder`);
  }
  return Object.fromEntries(
    KINDS.map((kind) => [kind, JSON.parse(readFileSync(path.join(KINDS_DIR, kind, 'kind.json'), 'utf8')) as KindEntry]),
  ) as Record<Kind, KindEntry>;
}

const kinds = readKindEntries();

export const SOURCES: readonly string[] = Object.keys(catalog.sources);

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

export function kindEntry(kind: Kind): KindEntry {
  return kinds[kind];
}

export function sourceEntry(source: string): SourceEntry | undefined {
  return Object.hasOwn(catalog.sources, source) ? catalog.sources[source] : undefined;
}

/** The (source, kind) pairs Truc accepts, in catalogue order. */
export function sourceKinds(): { source: string; kind: Kind }[] {
  return SOURCES.flatMap((source) =>
    (Object.keys(catalog.sources[source]!.kinds) as Kind[]).map((kind) => ({ source, kind })),
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
  return readSchemaFile(`raw/${source}/${kind}.avsc`);
}

export function canonicalSchema(kind: Kind): AvroSchema {
  return readSchemaFile(`kinds/${kind}/canonical.avsc`);
}
