/**
 * The catalogue of canonical kinds and source systems (`schemas/catalog.json`), the topic names
 * derived from them (docs/architecture.md, "Topics") and their Avro schemas (`schemas/`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AvroSchema } from './avro-serde.ts';
import { SCHEMAS_DIR, readSchemaFile } from './schema-files.ts';

export const KINDS = ['health-declaration', 'movement-declaration', 'citizen-report', 'checkpoint', 'checkpoint-passage'] as const;
export type Kind = (typeof KINDS)[number];

export interface KindEntry {
  doc: string;
  /** Canonical field whose value keys the canonical topic. */
  key: string;
  /** Compacted canonical topic (the latest record per key is the truth, e.g. the checkpoint registry). */
  compacted?: boolean;
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
  kinds: Record<Kind, KindEntry>;
  sources: Record<string, SourceEntry>;
}

const catalog = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'catalog.json'), 'utf8')) as CatalogFile;

export const SOURCES: readonly string[] = Object.keys(catalog.sources);

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

export function kindEntry(kind: Kind): KindEntry {
  return catalog.kinds[kind];
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
  return readSchemaFile(`canonical/${kind}.avsc`);
}
