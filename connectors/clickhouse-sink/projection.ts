/**
 * Canonical record → row of its ClickHouse table. A row is shaped from the record's pseudonymous
 * view (services/platform/field-classes.ts), the same the pseudonymous tier of agencies gets: the
 * fields the schema classifies as direct identifiers or free text (names, documents, phones,
 * address lines, seats, plates, report coordinates, free text) are not in it, so no table can hold
 * them (docs/privacy.md); of a withheld list only its length may be counted. Each kind lists the
 * top-level fields it knows (projected or deliberately left out), so a field added later to a
 * canonical schema is recognised as new (schema-evolution.ts).
 *
 * Each kind's table and row shape are in its folder (`schemas/kinds/<kind>/clickhouse.ts`, loaded
 * for every kind of the catalogue), written with services/platform/row-shape.ts.
 */
import { KINDS, kindEntry, kindFolder, type Kind } from '../../services/platform/catalog.ts';
import { pseudonymousView } from '../../services/platform/field-classes.ts';
import { loadFolderModules } from '../../services/platform/folder-modules.ts';
import type { CanonicalRecord, KindShape, Row } from '../../services/platform/row-shape.ts';

export { ProjectionError, type Row } from '../../services/platform/row-shape.ts';

export interface KindProjection {
  table: string;
  /** Top-level canonical fields this projection handles (kept or left out on purpose). */
  knownFields: ReadonlySet<string>;
  project(record: CanonicalRecord): Row;
}

const SHAPES = await loadFolderModules<Kind, KindShape>(KINDS, kindFolder, 'clickhouse.ts', 'CLICKHOUSE');

function countAt(record: CanonicalRecord, path: string): number {
  let value: unknown = record;
  for (const part of path.split('.')) value = value !== null && typeof value === 'object' ? (value as CanonicalRecord)[part] : undefined;
  return Array.isArray(value) ? value.length : 0;
}

export const PROJECTIONS: Readonly<Record<Kind, KindProjection>> = Object.fromEntries(
  KINDS.map((kind) => {
    const { table, knownFields, row } = SHAPES.get(kind)!;
    const project = (record: CanonicalRecord): Row => row(pseudonymousView(kind, record), (path) => countAt(record, path));
    return [kind, { table, knownFields, project }];
  }),
) as Record<Kind, KindProjection>;

/** Every table the sink writes, for checks over all of them. */
export const SINK_TABLES: readonly string[] = Object.values(PROJECTIONS).map((projection) => projection.table);

/**
 * The tables of one row per record about a person (every kind but the registries, which hold no
 * one's data): analysts read them only when granted (README, "Small cells").
 */
export const ROW_LEVEL_TABLES: ReadonlySet<string> = new Set(KINDS.filter((kind) => !kindEntry(kind).compacted).map((kind) => PROJECTIONS[kind].table));
