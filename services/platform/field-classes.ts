/**
 * The privacy class of every canonical field, declared once in its kind's schema
 * (`schemas/kinds/<kind>/canonical.avsc`, attribute `truc.class`; docs/privacy.md says what each
 * class means and why each field has its class), and what follows from it: the pseudonymous view
 * of a record and its schema. The pseudonymous tier of agencies (webhook payloads, agency topics)
 * and the ClickHouse sink both read records through this view, so they cannot disagree about which
 * fields identify a person.
 */
import avro from 'avsc';
import type { Tier } from './access.ts';
import type { AvroSchema } from './schema-files.ts';
import { KINDS, canonicalSchema, type Kind } from './catalog.ts';

export const FIELD_CLASSES = ['direct-identifier', 'free-text', 'quasi-identifier', 'pseudonym', 'operational', 'container'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

/** Classes only the identified tier sees: ClickHouse and the pseudonymous tier never get them. */
export const WITHHELD_CLASSES: readonly FieldClass[] = ['direct-identifier', 'free-text'];

export const CLASS_ATTRIBUTE = 'truc.class';
export const CONDITION_ATTRIBUTE = 'truc.direct-identifier-when';

/** A field that is a direct identifier only when a sibling enum holds one of some symbols (a private vehicle's plate). */
export interface IdentifyingWhen {
  field: string;
  in: string[];
}

export interface ClassifiedField {
  /** Dotted path from the record's top, e.g. person.full_name. */
  path: string;
  class: FieldClass;
  identifyingWhen?: IdentifyingWhen;
}

type Json = Record<string, unknown>;

/** A schema whose classification is missing or wrong; the message names the field. */
export class ClassificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassificationError';
  }
}

export function isFieldClass(value: unknown): value is FieldClass {
  return typeof value === 'string' && (FIELD_CLASSES as readonly string[]).includes(value);
}

/** The non-null branch of a union (or the type itself), with named types resolved. */
function valueType(type: unknown, named: Map<string, Json>): unknown {
  const branch = Array.isArray(type) ? type.find((b) => b !== 'null') : type;
  return typeof branch === 'string' && named.has(branch) ? named.get(branch) : branch;
}

const isRecord = (type: unknown): type is Json => typeof type === 'object' && type !== null && (type as Json).type === 'record';

/** Every field of a record schema (nested records' too), in schema order; throws on a field without a valid class. */
export function classifySchema(schema: AvroSchema, context: string): ClassifiedField[] {
  const named = new Map<string, Json>();
  const fields: ClassifiedField[] = [];
  const remember = (type: unknown): void => {
    if (Array.isArray(type)) return type.forEach(remember);
    if (typeof type === 'object' && type !== null && typeof (type as Json).name === 'string') named.set(String((type as Json).name), type as Json);
  };
  const walk = (record: Json, prefix: string): void => {
    for (const field of record.fields as Json[]) {
      const path = `${prefix}${String(field.name)}`;
      const cls = field[CLASS_ATTRIBUTE];
      if (!isFieldClass(cls)) throw new ClassificationError(`${context}: field ${path} has no ${CLASS_ATTRIBUTE} of ${FIELD_CLASSES.join(', ')}`);
      remember(field.type);
      const type = valueType(field.type, named);
      const items = typeof type === 'object' && type !== null && (type as Json).type === 'array' ? valueType((type as Json).items, named) : null;
      if (isRecord(items)) throw new ClassificationError(`${context}: field ${path} is an array of records, which the pseudonymous view cannot project`);
      if (isRecord(type) ? cls !== 'container' && !WITHHELD_CLASSES.includes(cls) : cls === 'container') {
        // A record is left out whole, or its fields decide one by one.
        throw new ClassificationError(`${context}: field ${path}: a record field is a container or withheld whole, and only a record is a container`);
      }
      const entry: ClassifiedField = { path, class: cls };
      const condition = field[CONDITION_ATTRIBUTE] as IdentifyingWhen | undefined;
      if (condition !== undefined) {
        const sibling = (record.fields as Json[]).find((f) => f.name === condition.field);
        const symbols = sibling ? (valueType(sibling.type, named) as Json | undefined)?.symbols : undefined;
        const nullable = Array.isArray(field.type) && field.type.includes('null');
        if (!Array.isArray(symbols) || !Array.isArray(condition.in) || !condition.in.every((s) => symbols.includes(s)) || !nullable) {
          throw new ClassificationError(`${context}: field ${path}: ${CONDITION_ATTRIBUTE} must name a sibling enum and its symbols, on a nullable field`);
        }
        entry.identifyingWhen = { field: condition.field, in: [...condition.in] };
      }
      fields.push(entry);
      if (isRecord(type)) walk(type, `${path}.`);
    }
  };
  remember(schema);
  walk(schema as Json, '');
  return fields;
}

const CLASSIFIED = new Map<Kind, ClassifiedField[]>(KINDS.map((kind) => [kind, classifySchema(canonicalSchema(kind), `schemas/kinds/${kind}/canonical.avsc`)]));

export function classifiedFields(kind: Kind): readonly ClassifiedField[] {
  return CLASSIFIED.get(kind)!;
}

const isWithheld = (field: ClassifiedField): boolean => WITHHELD_CLASSES.includes(field.class);

/** The outermost withheld fields of a kind (a withheld record takes everything under it along). */
export function withheldPaths(kind: Kind): string[] {
  const withheld = classifiedFields(kind).filter(isWithheld).map((field) => field.path);
  return withheld.filter((path) => !withheld.some((outer) => path.startsWith(`${outer}.`)));
}

/** Whether the pseudonymous tier may see `path` of every record (not withheld, neither it nor a record above it, nor conditionally). */
export function alwaysVisiblePseudonymously(kind: Kind, path: string): boolean {
  return !classifiedFields(kind).some(
    (field) => (isWithheld(field) || field.identifyingWhen !== undefined) && (path === field.path || path.startsWith(`${field.path}.`)),
  );
}

type View = (record: Json) => Json;

/**
 * The expression that builds the view of the record in `source` (a JavaScript expression) from the
 * fields under `prefix`: an object literal of the kept fields, so every view of a kind has one
 * shape (a view is made per record on the sink's and the fan-out's hot paths).
 */
function viewExpression(fields: readonly ClassifiedField[], prefix: string, source: string): string {
  const direct = fields.filter((field) => field.path.startsWith(prefix) && !field.path.slice(prefix.length).includes('.'));
  const members = direct.flatMap((field) => {
    if (isWithheld(field)) return [];
    const name = field.path.slice(prefix.length);
    const read = `${source}[${JSON.stringify(name)}]`;
    const condition = field.identifyingWhen;
    if (condition) {
      return [`${JSON.stringify(name)}: ${JSON.stringify(condition.in)}.includes(${source}[${JSON.stringify(condition.field)}]) ? null : ${read}`];
    }
    const below = fields.some((f) => f.path.startsWith(`${field.path}.`) && (isWithheld(f) || f.identifyingWhen !== undefined));
    if (!below) return [`${JSON.stringify(name)}: ${read}`];
    // A nested record is rebuilt only when it is one (null, or a malformed value, passes as it is).
    const value = `v${prefix.split('.').length}`;
    const inner = viewExpression(fields, `${field.path}.`, value);
    return [`${JSON.stringify(name)}: ((${value}) => ${value} === null || typeof ${value} !== 'object' ? ${value} : ${inner})(${read})`];
  });
  return `({ ${members.join(', ')} })`;
}

/** Field names are Avro names (letters, digits, underscores) and are quoted besides, so the source holds nothing but the schema's structure. */
function compileView(fields: readonly ClassifiedField[]): View {
  return new Function('record', `return ${viewExpression(fields, '', 'record')};`) as View;
}

const VIEWS = new Map<Kind, View>(KINDS.map((kind) => [kind, compileView(classifiedFields(kind))]));

/**
 * A record as the pseudonymous tier and ClickHouse see it: withheld fields left out, a conditional
 * field null where it identifies, fields the schema does not list left out. The record is not changed.
 */
export function pseudonymousView(kind: Kind, record: Json): Json {
  return VIEWS.get(kind)!(record);
}

/** `record` as `tier` may see it (the same fields as projectedSchema). */
export function projectRecord(kind: Kind, tier: Tier, record: Json): Json {
  return tier === 'identified' ? record : pseudonymousView(kind, record);
}

/** The canonical schema of `kind` without the fields `tier` may not see (a schema of its own for agency topics). */
export function projectedSchema(kind: Kind, tier: Tier): AvroSchema {
  const schema = structuredClone(canonicalSchema(kind)) as Json;
  if (tier === 'identified') return schema;
  // A named type used again later is pruned where it is defined; its fields have the same classes everywhere.
  const prune = (record: Json): void => {
    record.fields = (record.fields as Json[]).filter((field) => !WITHHELD_CLASSES.includes(field[CLASS_ATTRIBUTE] as FieldClass));
    for (const field of record.fields as Json[]) {
      const type = valueType(field.type, new Map());
      if (isRecord(type)) prune(type);
    }
  };
  prune(schema);
  const withheld = withheldPaths(kind);
  schema.doc = `${String(schema.doc ?? '')} Pseudonymous projection: direct identifiers and free text (${withheld.join(', ')}) removed.`.trim();
  // Throws when a dropped field held a named type that a kept field still refers to.
  avro.Type.forSchema(schema as avro.Schema);
  return schema;
}
