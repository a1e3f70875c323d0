/**
 * The registry's operations with Confluent's semantics (which error when, what soft and permanent
 * deletes allow, how ids and versions are chosen), independent of HTTP and of Kafka: each one is a
 * read or a write plan run by a RegistryStore.
 */
import {
  checkAgainst,
  checkCompatibility,
  parseAvroSchema,
  parseCompatibilityLevel,
  typeOfStored,
  type CompatibilityLevel,
  type ParsedSchema,
  type PreviousVersion,
} from './compatibility.ts';
import { errors } from './errors.ts';
import {
  configRecord,
  highWaterRecord,
  MAX_VERSION,
  modeRecord,
  parseMode,
  schemaRecord,
  schemaTombstone,
  type LogRecord,
  type Mode,
  type RegistryState,
  type SchemaVersion,
} from './state.ts';
import type { RegistryStore, WritePlan } from './store.ts';

/** A version as named in a URL: a number, or the latest one ("latest" or -1). */
export type VersionSpec = number | 'latest';

export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^[0-9]{1,10}$/.test(text)) throw errors.invalidVersion(text);
  const version = Number(text);
  if (version < 1 || version > MAX_VERSION) throw errors.invalidVersion(text);
  return version;
}

export function parseSchemaId(text: string): number {
  const id = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(id >= 1 && id <= MAX_VERSION)) throw errors.schemaNotFound(`Schema ${text} not found`);
  return id;
}

/** Validates a register / look-up / compatibility request body down to a parsed Avro schema. */
export function parseSchemaRequest(body: unknown): ParsedSchema {
  if (typeof body !== 'object' || body === null) throw errors.invalidSchema('Empty schema: the body must be a JSON object with a "schema" field');
  const request = body as Record<string, unknown>;
  const schemaType = request.schemaType ?? 'AVRO';
  if (typeof schemaType !== 'string' || schemaType.toUpperCase() !== 'AVRO') {
    throw errors.invalidSchema(`Invalid schema type ${JSON.stringify(schemaType)}: this registry supports AVRO only`);
  }
  if (request.references !== undefined && request.references !== null) {
    if (!Array.isArray(request.references)) throw errors.invalidSchema('references must be an array');
    if (request.references.length > 0) throw errors.invalidSchema('Invalid schema: references are not supported');
  }
  if (typeof request.schema !== 'string' || request.schema.trim() === '') {
    throw errors.invalidSchema('Empty schema: "schema" must be a non-empty string');
  }
  return parseAvroSchema(request.schema);
}

export interface SubjectVersionView {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

function view(version: SchemaVersion): SubjectVersionView {
  return { subject: version.subject, id: version.id, version: version.version, schema: version.schema };
}

function previousVersions(versions: readonly SchemaVersion[]): PreviousVersion[] {
  return versions.map((v) => ({ version: v.version, type: typeOfStored(v.schema) }));
}

const noWrite = <T>(result: T): WritePlan<T> => ({ records: [], result });

export class Registry {
  private readonly store: RegistryStore;
  constructor(store: RegistryStore) {
    this.store = store;
  }

  listSubjects(includeDeleted: boolean, prefix = ''): Promise<string[]> {
    return this.store.read((state) => state.subjectNames(includeDeleted).filter((name) => name.startsWith(prefix)));
  }

  listVersions(subject: string, includeDeleted: boolean): Promise<number[]> {
    return this.store.read((state) => {
      const versions = state.versions(subject, includeDeleted);
      if (versions.length === 0) throw errors.subjectNotFound(subject);
      return versions.map((v) => v.version);
    });
  }

  getVersion(subject: string, spec: VersionSpec, includeDeleted: boolean): Promise<SubjectVersionView> {
    return this.store.read((state) => view(findVersion(state, subject, spec, includeDeleted)));
  }

  /** Registers a schema under a subject; returns the (global) id. Re-registering is a no-op. */
  register(subject: string, body: unknown): Promise<{ id: number }> {
    const parsed = parseSchemaRequest(body);
    return this.store.write((state) => {
      const live = state.versions(subject, false);
      const existing = live.find((v) => v.schema === parsed.normalized);
      // Re-registering writes nothing, so it answers even in READONLY mode: services that register
      // their schemas at every start keep starting while the registry is frozen.
      if (existing) return noWrite({ id: existing.id });
      refuseIfReadOnly(state, subject);
      const level = state.effectiveCompatibility(subject);
      const problems = checkCompatibility(level, parsed.type, previousVersions(live));
      if (problems.length > 0) throw errors.incompatibleSchema(subject, problems);
      const id = state.idOfSchema(parsed.normalized) ?? state.nextId();
      const version = state.maxVersion(subject) + 1;
      if (version > MAX_VERSION) throw errors.storeError(`subject '${subject}' has run out of version numbers`);
      const record = schemaRecord({ subject, version, id, schema: parsed.normalized, deleted: false });
      return { records: [record], result: { id } };
    });
  }

  /** Finds the version of a subject holding a schema (live ones first). */
  lookup(subject: string, body: unknown, includeDeleted: boolean): Promise<SubjectVersionView> {
    const parsed = parseSchemaRequest(body);
    return this.store.read((state) => {
      const versions = state.versions(subject, includeDeleted);
      if (versions.length === 0) throw errors.subjectNotFound(subject);
      const matches = versions.filter((v) => v.schema === parsed.normalized);
      const match = matches.findLast((v) => !v.deleted) ?? matches.at(-1);
      if (!match) throw errors.schemaNotFound();
      return view(match);
    });
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.store.write((state) => {
      refuseIfReadOnly(state, subject);
      // A permanent delete targets soft-deleted versions, so "latest" then counts them too.
      const all = state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      let target: SchemaVersion | undefined;
      if (spec === 'latest') {
        target = permanent ? all.at(-1) : state.versions(subject, false).at(-1);
        if (!target) throw errors.subjectNotFound(subject);
      } else {
        target = state.version(subject, spec);
        if (!target) throw errors.versionNotFound(spec);
      }
      if (!permanent) {
        if (target.deleted) throw errors.versionSoftDeleted(subject, target.version);
        return { records: [schemaRecord({ ...target, deleted: true })], result: target.version };
      }
      if (!target.deleted) throw errors.versionNotSoftDeleted(subject, target.version);
      return { records: permanentDeleteRecords(state, [target]), result: target.version };
    });
  }

  /** Deletes every version of a subject (and its compatibility setting); returns the versions deleted. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.store.write((state) => {
      refuseIfReadOnly(state, subject);
      const all = state.versions(subject, true);
      if (all.length === 0) throw errors.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      const dropConfig = state.subjectLevel(subject) !== undefined ? [configRecord(subject, null)] : [];
      if (!permanent) {
        if (live.length === 0) throw errors.subjectSoftDeleted(subject);
        const records = live.map((v) => schemaRecord({ ...v, deleted: true }));
        return { records: [...records, ...dropConfig], result: live.map((v) => v.version) };
      }
      if (live.length > 0) throw errors.subjectNotSoftDeleted(subject);
      return { records: [...permanentDeleteRecords(state, all), ...dropConfig], result: all.map((v) => v.version) };
    });
  }

  schemaById(id: number, subject?: string): Promise<string> {
    return this.store.read((state) => {
      const schema = state.schemaById(id);
      if (schema === undefined) throw errors.schemaNotFound(`Schema ${id} not found`);
      if (subject !== undefined && !state.versions(subject, true).some((v) => v.id === id)) {
        throw errors.schemaNotFound(`Schema ${id} not found under subject '${subject}'`);
      }
      return schema;
    });
  }

  subjectsOfId(id: number, includeDeleted: boolean): Promise<string[]> {
    return this.store.read((state) => {
      if (state.schemaById(id) === undefined) throw errors.schemaNotFound(`Schema ${id} not found`);
      return [...new Set(state.usesOfId(id, includeDeleted).map((v) => v.subject))];
    });
  }

  versionsOfId(id: number, includeDeleted: boolean): Promise<Array<{ subject: string; version: number }>> {
    return this.store.read((state) => {
      if (state.schemaById(id) === undefined) throw errors.schemaNotFound(`Schema ${id} not found`);
      return state.usesOfId(id, includeDeleted).map((v) => ({ subject: v.subject, version: v.version }));
    });
  }

  /**
   * Would the schema be accepted? With a version: against that version only (in the subject's
   * level's direction). Without one, or with "latest": exactly the check registration runs.
   */
  testCompatibility(subject: string, spec: VersionSpec | null, body: unknown): Promise<string[]> {
    const parsed = parseSchemaRequest(body);
    return this.store.read((state) => {
      const level = state.effectiveCompatibility(subject);
      const live = state.versions(subject, false);
      if (spec === null || spec === 'latest') return checkCompatibility(level, parsed.type, previousVersions(live));
      const target = findVersion(state, subject, spec, false);
      return checkAgainst(level, parsed.type, previousVersions([target]));
    });
  }

  getGlobalCompatibility(): Promise<CompatibilityLevel> {
    return this.store.read((state) => state.globalCompatibility());
  }

  setGlobalCompatibility(body: unknown): Promise<CompatibilityLevel> {
    const level = levelFromBody(body);
    return this.store.write((state) => {
      refuseIfReadOnly(state, null);
      return { records: [configRecord(null, level)], result: level };
    });
  }

  /** Back to the default (BACKWARD); returns the level in force before. */
  resetGlobalCompatibility(): Promise<CompatibilityLevel> {
    return this.store.write((state) => {
      refuseIfReadOnly(state, null);
      return { records: [configRecord(null, null)], result: state.globalCompatibility() };
    });
  }

  getSubjectCompatibility(subject: string, defaultToGlobal: boolean): Promise<CompatibilityLevel> {
    return this.store.read((state) => {
      const level = state.subjectLevel(subject);
      if (level !== undefined) return level;
      if (defaultToGlobal) return state.globalCompatibility();
      throw errors.subjectCompatibilityNotConfigured(subject);
    });
  }

  setSubjectCompatibility(subject: string, body: unknown): Promise<CompatibilityLevel> {
    const level = levelFromBody(body);
    return this.store.write((state) => {
      refuseIfReadOnly(state, subject);
      return { records: [configRecord(subject, level)], result: level };
    });
  }

  getGlobalMode(): Promise<Mode> {
    return this.store.read((state) => state.globalMode());
  }

  /** Mode changes go through the log like every other change, so every instance enforces them. */
  setGlobalMode(body: unknown): Promise<Mode> {
    const mode = modeFromBody(body);
    return this.store.write(() => ({ records: [modeRecord(null, mode)], result: mode }));
  }

  getSubjectMode(subject: string, defaultToGlobal: boolean): Promise<Mode> {
    return this.store.read((state) => {
      const mode = state.subjectMode(subject);
      if (mode !== undefined) return mode;
      if (defaultToGlobal) return state.globalMode();
      throw errors.subjectModeNotConfigured(subject);
    });
  }

  setSubjectMode(subject: string, body: unknown): Promise<Mode> {
    const mode = modeFromBody(body);
    return this.store.write(() => ({ records: [modeRecord(subject, mode)], result: mode }));
  }

  /** Removes a subject's own mode; returns it. 40401 when it had none, as Confluent answers. */
  deleteSubjectMode(subject: string): Promise<Mode> {
    return this.store.write((state) => {
      const mode = state.subjectMode(subject);
      if (mode === undefined) throw errors.subjectNotFound(subject);
      return { records: [modeRecord(subject, null)], result: mode };
    });
  }

  /** Removes a subject's own level; returns it. 40401 when it had none, as Confluent answers. */
  deleteSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.store.write((state) => {
      refuseIfReadOnly(state, subject);
      const level = state.subjectLevel(subject);
      if (level === undefined) throw errors.subjectNotFound(subject);
      return { records: [configRecord(subject, null)], result: level };
    });
  }
}

/**
 * READONLY (the subject's own mode, else the global one) refuses what changes schemas or their
 * rules: registrations, deletes, compatibility settings. Mode changes stay allowed, or a registry
 * set READONLY could never be opened again.
 */
function refuseIfReadOnly(state: RegistryState, subject: string | null): void {
  if (subject === null) {
    if (state.globalMode() === 'READONLY') throw errors.readOnlyRegistry();
  } else if (state.effectiveMode(subject) === 'READONLY') throw errors.readOnlySubject(subject);
}

function modeFromBody(body: unknown): Mode {
  const requested = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).mode : undefined;
  const mode = parseMode(requested);
  if (mode === null) throw errors.invalidMode();
  return mode;
}

function levelFromBody(body: unknown): CompatibilityLevel {
  const requested = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).compatibility : undefined;
  const level = parseCompatibilityLevel(requested);
  if (level === null) throw errors.invalidCompatibilityLevel();
  return level;
}

/**
 * Confluent's rules: 40401 when the subject has nothing visible at all, 40402 when it has but not
 * this version.
 */
function findVersion(state: RegistryState, subject: string, spec: VersionSpec, includeDeleted: boolean): SchemaVersion {
  const visible = state.versions(subject, includeDeleted);
  if (visible.length === 0) throw errors.subjectNotFound(subject);
  const found = spec === 'latest' ? visible.at(-1) : visible.find((v) => v.version === spec);
  if (!found) throw errors.versionNotFound(spec);
  return found;
}

/**
 * Tombstones for the versions, preceded by the id high-water mark: once compaction drops the last
 * record naming the highest id, the mark still keeps that id from being handed out again.
 */
function permanentDeleteRecords(state: RegistryState, versions: readonly SchemaVersion[]): LogRecord[] {
  return [highWaterRecord(state.maxId()), ...versions.map((v) => schemaTombstone(v.subject, v.version))];
}
