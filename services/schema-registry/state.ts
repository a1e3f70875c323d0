/**
 * The registry's in-memory state and the rules that fold log records into it.
 *
 * Every instance applies the same records in the same (log) order with these rules, so all
 * instances agree without talking to each other. Writers race by appending; a record that
 * contradicts what an earlier record established (an id already bound to another schema, a
 * schema already bound to another id, a version slot already holding something else, an undelete)
 * is ignored on apply, and its writer retries with the fresh state.
 *
 * Compaction keeps only the last record of each key, and an ignored record may be that last one,
 * which would change what a later replay accepts. So the state tracks, per key, whether the log's
 * last value still says what the state holds ("dirty" keys otherwise), and `repairs()` gives the
 * records that restore that, which writers append. With no dirty key, replaying the compacted log
 * yields the same state as replaying the full one.
 *
 * Record formats follow Confluent's `_schemas` topic:
 *   {"keytype":"SCHEMA","subject":s,"version":v,"magic":1} -> {"subject","version","id","schema","deleted"}
 *   {"keytype":"CONFIG","subject":s|null,"magic":0}         -> {"compatibilityLevel":L}
 *   {"keytype":"MODE","subject":s|null,"magic":0}           -> {"mode":"READWRITE"|"READONLY"}
 * plus one of ours, since compaction can drop every record naming the highest id ever handed out:
 *   {"keytype":"ID_HIGH_WATER","magic":0}                   -> {"id":n}
 * A null value (tombstone) removes the key.
 */
import { parseCompatibilityLevel, DEFAULT_COMPATIBILITY, type CompatibilityLevel } from './compatibility.ts';

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  /** Normalized schema text. */
  schema: string;
  deleted: boolean;
}

export type RecordKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'ID_HIGH_WATER' };

/** A record as written to the topic: key and value are JSON text; a null value is a tombstone. */
export interface LogRecord {
  key: string;
  value: string | null;
}

export const MAX_VERSION = 2 ** 31 - 1;

/** Confluent's READONLY_OVERRIDE and IMPORT are not supported: records naming them are ignored. */
export const MODES = ['READWRITE', 'READONLY'] as const;
export type Mode = (typeof MODES)[number];
export const DEFAULT_MODE: Mode = 'READWRITE';

export function parseMode(value: unknown): Mode | null {
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  return (MODES as readonly string[]).includes(upper) ? (upper as Mode) : null;
}

const isPositiveInt = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_VERSION;

// Compaction compares key bytes, so every writer must spell a key identically: fixed field order.
export function encodeKey(key: RecordKey): string {
  switch (key.keytype) {
    case 'SCHEMA':
      return JSON.stringify({ keytype: 'SCHEMA', subject: key.subject, version: key.version, magic: 1 });
    case 'CONFIG':
      return JSON.stringify({ keytype: 'CONFIG', subject: key.subject, magic: 0 });
    case 'MODE':
      return JSON.stringify({ keytype: 'MODE', subject: key.subject, magic: 0 });
    case 'ID_HIGH_WATER':
      return JSON.stringify({ keytype: 'ID_HIGH_WATER', magic: 0 });
  }
}

/** Null for keys this registry does not use (Confluent's NOOP, DELETE_SUBJECT...) or garbage. */
export function decodeKey(text: string): RecordKey | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const key = raw as Record<string, unknown>;
  if (key.keytype === 'SCHEMA' && typeof key.subject === 'string' && isPositiveInt(key.version)) {
    return { keytype: 'SCHEMA', subject: key.subject, version: key.version };
  }
  if (key.keytype === 'CONFIG' && (typeof key.subject === 'string' || key.subject === null || key.subject === undefined)) {
    return { keytype: 'CONFIG', subject: key.subject ?? null };
  }
  if (key.keytype === 'MODE' && (typeof key.subject === 'string' || key.subject === null || key.subject === undefined)) {
    return { keytype: 'MODE', subject: key.subject ?? null };
  }
  if (key.keytype === 'ID_HIGH_WATER') return { keytype: 'ID_HIGH_WATER' };
  return null;
}

export function encodeSchemaValue(value: SchemaVersion): string {
  const { subject, version, id, schema, deleted } = value;
  return JSON.stringify({ subject, version, id, schema, deleted });
}

function decodeSchemaValue(key: { subject: string; version: number }, text: string): SchemaVersion | null {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (raw.subject !== key.subject || raw.version !== key.version) return null;
    if (!isPositiveInt(raw.id) || typeof raw.schema !== 'string') return null;
    if (raw.schemaType !== undefined && raw.schemaType !== 'AVRO') return null;
    return { subject: key.subject, version: key.version, id: raw.id, schema: raw.schema, deleted: raw.deleted === true };
  } catch {
    return null;
  }
}

function decodeConfigValue(text: string): CompatibilityLevel | null {
  try {
    return parseCompatibilityLevel((JSON.parse(text) as Record<string, unknown>).compatibilityLevel);
  } catch {
    return null;
  }
}

function decodeModeValue(text: string): Mode | null {
  try {
    return parseMode((JSON.parse(text) as Record<string, unknown>).mode);
  } catch {
    return null;
  }
}

function decodeHighWaterValue(text: string): number | null {
  try {
    const id = (JSON.parse(text) as Record<string, unknown>).id;
    return isPositiveInt(id) ? id : null;
  } catch {
    return null;
  }
}

export const schemaRecord = (value: SchemaVersion): LogRecord => ({
  key: encodeKey({ keytype: 'SCHEMA', subject: value.subject, version: value.version }),
  value: encodeSchemaValue(value),
});

export const schemaTombstone = (subject: string, version: number): LogRecord => ({
  key: encodeKey({ keytype: 'SCHEMA', subject, version }),
  value: null,
});

/** subject null is the global level; level null removes the setting. */
export const configRecord = (subject: string | null, level: CompatibilityLevel | null): LogRecord => ({
  key: encodeKey({ keytype: 'CONFIG', subject }),
  value: level === null ? null : JSON.stringify({ compatibilityLevel: level }),
});

/** subject null is the global mode; mode null removes the setting. */
export const modeRecord = (subject: string | null, mode: Mode | null): LogRecord => ({
  key: encodeKey({ keytype: 'MODE', subject }),
  value: mode === null ? null : JSON.stringify({ mode }),
});

export const highWaterRecord = (id: number): LogRecord => ({
  key: encodeKey({ keytype: 'ID_HIGH_WATER' }),
  value: JSON.stringify({ id }),
});

export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  /** Id <-> schema bindings, each held while at least one stored version (deleted or not) uses it. */
  private readonly bindings = new Map<number, { schema: string; uses: number }>();
  private readonly idsBySchema = new Map<string, number>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel | null = null;
  private readonly subjectModes = new Map<string, Mode>();
  private globalModeSetting: Mode | null = null;
  private highWater = 0;
  private maxAppliedId = 0;
  /** Per raw key text: the last value seen in the log, in canonical form (see canonicalLogValue). */
  private readonly lastLogValues = new Map<string, string | null>();
  private readonly dirtyKeys = new Set<string>();

  /** Folds one record into the state; returns whether it was accepted (false: ignored). */
  apply(keyText: string, valueText: string | null): boolean {
    const key = decodeKey(keyText);
    if (key === null) return false;
    let accepted: boolean;
    switch (key.keytype) {
      case 'SCHEMA':
        accepted = this.applySchema(key, valueText);
        break;
      case 'CONFIG':
        accepted = this.applyConfig(key.subject, valueText);
        break;
      case 'MODE':
        accepted = this.applyMode(key.subject, valueText);
        break;
      case 'ID_HIGH_WATER':
        accepted = this.applyHighWater(valueText);
        break;
    }
    this.lastLogValues.set(keyText, this.canonicalLogValue(key, valueText));
    if (this.lastLogValues.get(keyText) === this.stateValue(key)) this.dirtyKeys.delete(keyText);
    else this.dirtyKeys.add(keyText);
    return accepted;
  }

  private applySchema(key: { subject: string; version: number }, valueText: string | null): boolean {
    const versions = this.subjects.get(key.subject);
    const existing = versions?.get(key.version);
    if (valueText === null) {
      // Permanent delete needs a prior soft delete; a tombstone racing a live write loses.
      if (existing === undefined) return true;
      if (!existing.deleted) return false;
      versions!.delete(key.version);
      if (versions!.size === 0) this.subjects.delete(key.subject);
      this.release(existing.id);
      return true;
    }
    const value = decodeSchemaValue(key, valueText);
    if (value === null) return false;
    if (existing !== undefined) {
      // The slot is taken: only the same schema may be restated, and only toward deletion.
      if (existing.id !== value.id || existing.schema !== value.schema) return false;
      if (existing.deleted && !value.deleted) return false;
      // Replaced, not mutated: callers may still hold the previous object.
      versions!.set(key.version, { ...existing, deleted: value.deleted });
      return true;
    }
    const boundSchema = this.bindings.get(value.id)?.schema;
    if (boundSchema !== undefined && boundSchema !== value.schema) return false;
    const boundId = this.idsBySchema.get(value.schema);
    if (boundId !== undefined && boundId !== value.id) return false;
    let target = versions;
    if (target === undefined) {
      target = new Map();
      this.subjects.set(key.subject, target);
    }
    target.set(key.version, value);
    const binding = this.bindings.get(value.id);
    if (binding) binding.uses += 1;
    else {
      this.bindings.set(value.id, { schema: value.schema, uses: 1 });
      this.idsBySchema.set(value.schema, value.id);
    }
    this.maxAppliedId = Math.max(this.maxAppliedId, value.id);
    return true;
  }

  private release(id: number): void {
    const binding = this.bindings.get(id);
    if (!binding) return;
    binding.uses -= 1;
    if (binding.uses > 0) return;
    // Unbound ids are never handed out again: nextId() stays above them via the high-water mark
    // that permanent deletes write.
    this.bindings.delete(id);
    this.idsBySchema.delete(binding.schema);
  }

  private applyConfig(subject: string | null, valueText: string | null): boolean {
    const level = valueText === null ? null : decodeConfigValue(valueText);
    if (valueText !== null && level === null) return false;
    if (subject === null) this.globalLevel = level;
    else if (level === null) this.subjectLevels.delete(subject);
    else this.subjectLevels.set(subject, level);
    return true;
  }

  private applyMode(subject: string | null, valueText: string | null): boolean {
    const mode = valueText === null ? null : decodeModeValue(valueText);
    if (valueText !== null && mode === null) return false;
    if (subject === null) this.globalModeSetting = mode;
    else if (mode === null) this.subjectModes.delete(subject);
    else this.subjectModes.set(subject, mode);
    return true;
  }

  private applyHighWater(valueText: string | null): boolean {
    if (valueText === null) return true;
    const id = decodeHighWaterValue(valueText);
    if (id === null) return false;
    this.highWater = Math.max(this.highWater, id);
    return true;
  }

  /** The value the state holds for a key, in the canonical text form log values are compared in. */
  private stateValue(key: RecordKey): string | null {
    switch (key.keytype) {
      case 'SCHEMA': {
        const value = this.subjects.get(key.subject)?.get(key.version);
        return value === undefined ? null : encodeSchemaValue(value);
      }
      case 'CONFIG': {
        const level = key.subject === null ? this.globalLevel : this.subjectLevels.get(key.subject);
        return level == null ? null : JSON.stringify({ compatibilityLevel: level });
      }
      case 'MODE': {
        const mode = key.subject === null ? this.globalModeSetting : this.subjectModes.get(key.subject);
        return mode == null ? null : JSON.stringify({ mode });
      }
      case 'ID_HIGH_WATER':
        return this.highWater === 0 ? null : JSON.stringify({ id: this.highWater });
    }
  }

  private canonicalLogValue(key: RecordKey, valueText: string | null): string | null {
    if (valueText === null) return null;
    switch (key.keytype) {
      case 'SCHEMA': {
        const value = decodeSchemaValue(key, valueText);
        if (value !== null) return encodeSchemaValue(value);
        break;
      }
      case 'CONFIG': {
        const level = decodeConfigValue(valueText);
        if (level !== null) return JSON.stringify({ compatibilityLevel: level });
        break;
      }
      case 'MODE': {
        const mode = decodeModeValue(valueText);
        if (mode !== null) return JSON.stringify({ mode });
        break;
      }
      case 'ID_HIGH_WATER': {
        const id = decodeHighWaterValue(valueText);
        if (id !== null) return JSON.stringify({ id });
        break;
      }
    }
    // Undecodable: never equal to a state value, so the key is dirty and gets overwritten.
    return `invalid:${valueText}`;
  }

  /** Records that make the log's last value of every dirty key match the state again. */
  repairs(): LogRecord[] {
    const records: LogRecord[] = [];
    for (const keyText of this.dirtyKeys) {
      const key = decodeKey(keyText);
      if (key !== null) records.push({ key: keyText, value: this.stateValue(key) });
    }
    return records;
  }

  get dirtyCount(): number {
    return this.dirtyKeys.size;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Subject names, sorted; soft-deleted subjects (every version deleted) only when asked. */
  subjectNames(includeDeleted: boolean): string[] {
    const names: string[] = [];
    for (const [name, versions] of this.subjects) {
      if (includeDeleted || [...versions.values()].some((v) => !v.deleted)) names.push(name);
    }
    return names.sort();
  }

  /** A subject's versions, oldest first. */
  versions(subject: string, includeDeleted: boolean): SchemaVersion[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].filter((v) => includeDeleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  version(subject: string, version: number): SchemaVersion | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** Highest version number the subject holds, deleted ones included (soft-deleted numbers are never reused). */
  maxVersion(subject: string): number {
    let max = 0;
    for (const version of this.subjects.get(subject)?.keys() ?? []) max = Math.max(max, version);
    return max;
  }

  schemaById(id: number): string | undefined {
    return this.bindings.get(id)?.schema;
  }

  idOfSchema(schema: string): number | undefined {
    return this.idsBySchema.get(schema);
  }

  /** Every subject version using the id. */
  usesOfId(id: number, includeDeleted: boolean): SchemaVersion[] {
    const uses: SchemaVersion[] = [];
    for (const name of [...this.subjects.keys()].sort()) {
      for (const v of this.versions(name, includeDeleted)) if (v.id === id) uses.push(v);
    }
    return uses;
  }

  /** Highest id ever handed out as far as the log still tells. */
  maxId(): number {
    return Math.max(this.highWater, this.maxAppliedId);
  }

  nextId(): number {
    return this.maxId() + 1;
  }

  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel ?? DEFAULT_COMPATIBILITY;
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalCompatibility();
  }

  subjectMode(subject: string): Mode | undefined {
    return this.subjectModes.get(subject);
  }

  globalMode(): Mode {
    return this.globalModeSetting ?? DEFAULT_MODE;
  }

  /** The subject's own mode, else the global one. */
  effectiveMode(subject: string): Mode {
    return this.subjectModes.get(subject) ?? this.globalMode();
  }

  /** Everything observable, for comparing states in tests. */
  snapshot(): unknown {
    return {
      subjects: [...this.subjects.keys()].sort().map((name) => this.versions(name, true)),
      subjectLevels: [...this.subjectLevels.entries()].sort(),
      globalLevel: this.globalLevel,
      subjectModes: [...this.subjectModes.entries()].sort(),
      globalMode: this.globalModeSetting,
      bindings: [...this.bindings.entries()].sort((a, b) => a[0] - b[0]),
    };
  }
}
