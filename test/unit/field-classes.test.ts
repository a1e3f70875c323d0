/**
 * The one classification (`truc.class` on every field of `schemas/kinds/<kind>/canonical.avsc`)
 * decides what leaves the identified world: for every field of every kind, a direct identifier or
 * free text never reaches ClickHouse, a pseudonymous agency's webhook payload, its agency-topic
 * schema, or its subscription filters. Each kind's sample record fills every field with a value of
 * its own, so a withheld value found anywhere downstream is caught, whatever field carries it there.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { PROJECTIONS } from '../../connectors/clickhouse-sink/projection.ts';
import { expectedKindReadme, kindReadmeFile } from '../../schemas/kinds/kind-readme.ts';
import { KINDS, canonicalSchema, type Kind } from '../../services/platform/catalog.ts';
import { loadConfig } from '../../services/platform/config.ts';
import {
  FIELD_CLASSES, classifiedFields, projectRecord, projectedSchema, type ClassifiedField, type FieldClass,
} from '../../services/platform/field-classes.ts';
import { canonicalField, canonicalFieldPaths, valueAt } from '../../services/subscriptions/canonical-fields.ts';
import type { Subscription } from '../../services/subscriptions/model.ts';
import { storedSubscriptionProblems } from '../../services/subscriptions/validation.ts';

type Json = Record<string, unknown>;

/** What the issue forbids outside the identified tier (stated here, not taken from the code under test). */
const NEVER_PSEUDONYMOUS: readonly FieldClass[] = ['direct-identifier', 'free-text'];

/** A record of `kind` with every field set (nullable ones too), each string and number unique. */
function sampleRecord(kind: Kind, enumChoice: Record<string, string> = {}): Json {
  const named = new Map<string, Json>();
  let counter = 0;
  const value = (type: unknown, path: string): unknown => {
    if (Array.isArray(type)) return value(type.find((branch) => branch !== 'null'), path);
    if (typeof type === 'string') {
      counter += 1;
      switch (type) {
        case 'string': return `~${kind}:${path}~`;
        case 'int': return 1_000 + counter;
        case 'long': return 1_628_000_000_000 + counter;
        case 'double': return 10 + counter / 1_000;
        case 'boolean': return true;
        default: return value(named.get(type), path);
      }
    }
    const schema = type as Json;
    if (typeof schema.name === 'string') named.set(schema.name, schema);
    if (schema.type === 'enum') return enumChoice[path] ?? (schema.symbols as string[])[0];
    if (schema.type === 'array') return [value(schema.items, path)];
    if (schema.type === 'record') {
      return Object.fromEntries((schema.fields as Json[]).map((field) => {
        const fieldPath = path ? `${path}.${String(field.name)}` : String(field.name);
        return [field.name, value(field.type, fieldPath)];
      }));
    }
    return value(schema.type, path);
  };
  const record = value(canonicalSchema(kind), '') as Json;
  record.kind = kind;
  return record;
}

/** The strings and numbers a value holds, at any depth (enums and booleans are not unique, so not telling). */
function leaves(value: unknown): (string | number)[] {
  if (typeof value === 'number') return [value];
  if (typeof value === 'string') return value.startsWith('~') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

/** The fields that may not leave the identified tier for this record (a conditional one only where it identifies). */
function identifyingIn(kind: Kind, record: Json): ClassifiedField[] {
  return classifiedFields(kind).filter((field) => {
    if (NEVER_PSEUDONYMOUS.includes(field.class)) return true;
    const condition = field.identifyingWhen;
    if (!condition) return false;
    const parent = field.path.includes('.') ? valueAt(record, field.path.slice(0, field.path.lastIndexOf('.'))) : record;
    return condition.in.includes((parent as Json)[condition.field] as string);
  });
}

/** Dotted paths of a record schema's fields, nested records' too. */
function schemaPaths(schema: unknown): string[] {
  const named = new Map<string, Json>();
  const paths: string[] = [];
  const walk = (type: unknown, prefix: string): void => {
    if (Array.isArray(type)) return type.forEach((branch) => walk(branch, prefix));
    if (typeof type === 'string') return void (named.has(type) && walk(named.get(type), prefix));
    const object = type as Json;
    if (typeof object.name === 'string') named.set(object.name, object);
    if (object.type !== 'record') return;
    for (const field of object.fields as Json[]) {
      paths.push(`${prefix}${String(field.name)}`);
      walk(field.type, `${prefix}${String(field.name)}.`);
    }
  };
  walk(schema, '');
  return paths;
}

const under = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`);

/** Each kind's samples: one per symbol of an enum a field's class depends on, so both sides of a condition are walked. */
const SAMPLES: { kind: Kind; record: Json }[] = KINDS.flatMap((kind) => {
  const siblings = classifiedFields(kind).flatMap(({ path, identifyingWhen }) =>
    identifyingWhen ? [`${path.slice(0, path.lastIndexOf('.') + 1)}${identifyingWhen.field}`] : [],
  );
  if (siblings.length === 0) return [{ kind, record: sampleRecord(kind) }];
  return siblings.flatMap((sibling) =>
    canonicalField(kind, sibling)!.symbols!.map((symbol) => ({ kind, record: sampleRecord(kind, { [sibling]: symbol }) })),
  );
});

describe('field classification', () => {
  it('gives every field of every kind one class of the closed set', () => {
    for (const kind of KINDS) {
      expect(classifiedFields(kind).map((field) => field.path).sort(), kind).toEqual(canonicalFieldPaths(kind).sort());
      for (const field of classifiedFields(kind)) expect(FIELD_CLASSES, `${kind} ${field.path}`).toContain(field.class);
    }
  });

  it('samples every kind with records valid against its schema, both sides of every condition included', () => {
    expect(new Set(SAMPLES.map((sample) => sample.kind))).toEqual(new Set(KINDS));
    expect(SAMPLES.filter((sample) => sample.kind === 'movement-declaration').map((sample) => sample.record.transport_mode)).toContain('PERSONAL');
    for (const { kind, record } of SAMPLES) expect(avro.Type.forSchema(canonicalSchema(kind) as avro.Schema).isValid(record), kind).toBe(true);
  });

  for (const { kind, record } of SAMPLES) {
    const label = `${kind}${record.transport_mode ? ` (${String(record.transport_mode)})` : ''}`;
    const identifying = identifyingIn(kind, record);
    const secrets = identifying.flatMap((field) => leaves(valueAt(record, field.path)));

    describe(label, () => {
      it('has identifying values to look for', () => {
        if (kind !== 'checkpoint') expect(secrets.length).toBeGreaterThan(0);
      });

      it('keeps every direct identifier and free text out of ClickHouse', () => {
        const row = PROJECTIONS[kind].project(record);
        for (const secret of secrets) expect(leaves(row), `${kind}: ${String(secret)}`).not.toContain(secret);
        for (const field of identifying) expect(row[field.path.replaceAll('.', '_')] ?? null, `${kind} ${field.path}`).toBeNull();
      });

      it('keeps them out of a pseudonymous webhook payload, and delivers every other field', () => {
        const payload = projectRecord(kind, 'pseudonymous', record);
        for (const secret of secrets) expect(leaves(payload), `${kind}: ${String(secret)}`).not.toContain(secret);
        for (const field of identifying) {
          const seen = valueAt(payload, field.path);
          expect(seen === undefined || seen === null, `${kind} ${field.path}`).toBe(true);
        }
        for (const field of classifiedFields(kind)) {
          if (identifying.some((withheld) => under(field.path, withheld.path))) continue;
          if (field.class !== 'container') expect(valueAt(payload, field.path), `${kind} ${field.path}`).toEqual(valueAt(record, field.path));
        }
        expect(projectRecord(kind, 'identified', record)).toBe(record);
      });

      it('keeps them out of the agency-topic schema, which still reads the payload and canonical data', () => {
        const schema = projectedSchema(kind, 'pseudonymous');
        const type = avro.Type.forSchema(schema as avro.Schema);
        const paths = schemaPaths(schema);
        for (const field of classifiedFields(kind)) {
          const withheld = NEVER_PSEUDONYMOUS.includes(field.class);
          expect(paths.includes(field.path), `${kind} ${field.path}`).toBe(!withheld && !identifying.some((outer) => under(field.path, outer.path) && NEVER_PSEUDONYMOUS.includes(outer.class)));
        }
        expect(type.isValid(projectRecord(kind, 'pseudonymous', record)), kind).toBe(true);
        expect(() => type.createResolver(avro.Type.forSchema(canonicalSchema(kind) as avro.Schema))).not.toThrow();
      });
    });
  }

  it('refuses a pseudonymous filter on a field the tier does not always see, and accepts it when identified', () => {
    const config = loadConfig({}).fanout;
    const filterOn = (kind: Kind, field: string, tier: Subscription['tier']): string[] =>
      storedSubscriptionProblems({
        id: 's1', agency: 'a', kinds: [kind], filter: { provinces: null, where: [{ field, op: 'not empty' }] }, tier,
        delivery: { type: 'topic' }, state: 'active', startFrom: 0, generation: 0, createdAt: 0, updatedAt: 0,
      }, config).map((problem) => problem.path);
    for (const kind of KINDS) {
      for (const field of classifiedFields(kind)) {
        const hidden = classifiedFields(kind).some(
          (outer) => (NEVER_PSEUDONYMOUS.includes(outer.class) || outer.identifyingWhen !== undefined) && under(field.path, outer.path),
        );
        expect(filterOn(kind, field.path, 'pseudonymous'), `${kind} ${field.path}`).toEqual(hidden ? ['filter.where[0].field'] : []);
        expect(filterOn(kind, field.path, 'identified'), `${kind} ${field.path}`).toEqual([]);
      }
    }
  });

  it("is what each kind's README lists for every field (node schemas/kinds/kind-readme.ts remakes the lists)", () => {
    for (const kind of KINDS) {
      const readme = readFileSync(kindReadmeFile(kind), 'utf8');
      expect(readme, `schemas/kinds/${kind}/README.md`).toBe(expectedKindReadme(kind));
      for (const field of classifiedFields(kind)) expect(readme).toContain(`| \`${field.path}\` | ${field.class} |`);
    }
  });
});
