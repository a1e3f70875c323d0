/**
 * What an operator does to pull connector instances, checked in one place for the API and the
 * start-up defaults: validate a configuration, create or change an instance, set its target state,
 * delete it; read, reset or alter its offsets (the latter two only while it is stopped, as in
 * Kafka Connect's KIP-875).
 */
import type { Kafka } from 'kafkajs';
import { HIDDEN, validateConfig, type ConnectorConfig, type ValidationReport } from './config-spec.ts';
import type { ConnectorHost } from './connector-host.ts';
import { CONNECTOR_NAME, type ConnectorInstance, type TargetState } from './connector-store.ts';
import { alterOffsets, committedOffsets } from './offset-admin.ts';
import type { OffsetChanges, SourceOffset } from './source-connector.ts';

export type AdminResult<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string; details?: unknown };

const refuse = (status: number, code: string, message: string, details?: unknown): AdminResult<never> => ({
  ok: false, status, code, message, ...(details === undefined ? {} : { details }),
});

export interface OffsetEntry {
  partition: string;
  offset: SourceOffset | null;
}

/** At most this many offsets in one alteration. */
const MAX_OFFSET_CHANGES = 1_000;

export class ConnectorAdmin {
  private readonly host: ConnectorHost;
  private readonly kafka: Kafka;

  constructor(host: ConnectorHost, kafka: Kafka) {
    this.host = host;
    this.kafka = kafka;
  }

  /** Field by field; null when there is no such type. `name`: the instance the configuration is for (so it does not clash with itself). */
  async validate(type: string, config: unknown, name: string | null): Promise<{ report: ValidationReport; config: ConnectorConfig | null } | null> {
    const spec = this.host.types.get(type);
    if (!spec) return null;
    const others = this.host.store.list().filter((instance) => instance.name !== name);
    return validateConfig(spec.name, spec.fields, config, { name, others });
  }

  /** Creates (`mustBeNew`: only creates) or replaces the configuration of `name`; true when it was created. */
  async put(name: string, type: unknown, config: unknown, mustBeNew: boolean): Promise<AdminResult<{ created: boolean; instance: ConnectorInstance }>> {
    if (!CONNECTOR_NAME.test(name)) return refuse(400, 'invalid_name', "a connector's name is 1 to 100 letters, digits, '.', '_' or '-'");
    if (name === 'http-ingest') return refuse(409, 'connector_exists', 'http-ingest is the push connector of the API; choose another name');
    const stored = this.host.store.get(name);
    if (stored && mustBeNew) return refuse(409, 'connector_exists', `a connector named ${JSON.stringify(name)} exists; PUT /v1/connectors/${name} changes it`);
    if (typeof type !== 'string' || !this.host.types.has(type)) {
      return refuse(400, 'unknown_type', `type must be one of ${[...this.host.types.keys()].join(', ')}`);
    }
    // A password read back hidden and sent again keeps its value.
    const given = stored && stored.type === type && config !== null && typeof config === 'object' && !Array.isArray(config)
      ? Object.fromEntries(Object.entries(config as ConnectorConfig).map(([field, value]) => [field, value === HIDDEN && Object.hasOwn(stored.config, field) ? stored.config[field]! : value]))
      : config;
    const checked = (await this.validate(type, given, name))!;
    if (checked.config === null) {
      return refuse(400, 'invalid_config', `the configuration has ${checked.report.error_count} error(s); details has them field by field`, checked.report);
    }
    const now = new Date().toISOString();
    const instance: ConnectorInstance = { name, type, config: checked.config, state: stored?.state ?? 'RUNNING', createdAt: stored?.createdAt ?? now, updatedAt: now };
    await this.host.store.write(name, instance);
    await this.host.settled();
    return { ok: true, value: { created: !stored, instance } };
  }

  async setState(name: string, state: TargetState): Promise<AdminResult<ConnectorInstance>> {
    const stored = this.host.store.get(name);
    if (!stored) return refuse(404, 'unknown_connector', `no connector named ${JSON.stringify(name)}`);
    const instance = { ...stored, state, updatedAt: new Date().toISOString() };
    if (stored.state !== state) await this.host.store.write(name, instance);
    await this.host.settled();
    return { ok: true, value: instance };
  }

  /** Deletes the instance; its offsets stay (an instance created again with the name resumes from them). */
  async delete(name: string): Promise<AdminResult<null>> {
    if (!this.host.store.get(name)) return refuse(404, 'unknown_connector', `no connector named ${JSON.stringify(name)}`);
    await this.host.store.write(name, null);
    await this.host.settled();
    return { ok: true, value: null };
  }

  async offsets(name: string): Promise<AdminResult<OffsetEntry[]>> {
    if (!this.host.store.get(name)) return refuse(404, 'unknown_connector', `no pull connector named ${JSON.stringify(name)}`);
    return { ok: true, value: entries(await committedOffsets(this.kafka, name)) };
  }

  /** `changes` null: every offset is deleted (the connector starts its source over). */
  async alter(name: string, changes: unknown): Promise<AdminResult<OffsetEntry[]>> {
    const stored = this.host.store.get(name);
    if (!stored) return refuse(404, 'unknown_connector', `no pull connector named ${JSON.stringify(name)}`);
    await this.host.settled();
    if (stored.state !== 'STOPPED' || this.host.get(name)?.status().state !== 'STOPPED') {
      return refuse(409, 'connector_not_stopped', `offsets change only while the connector is stopped: POST /v1/connectors/${name}/stop first`);
    }
    let wanted: OffsetChanges | null = null;
    if (changes !== null) {
      const parsed = this.parseChanges(stored.type, changes);
      if (!parsed.ok) return parsed;
      wanted = parsed.value;
    }
    const after = await alterOffsets(this.kafka, name, (current) => wanted ?? new Map([...current.keys()].map((partition) => [partition, null])));
    return { ok: true, value: entries(after) };
  }

  private parseChanges(type: string, body: unknown): AdminResult<OffsetChanges> {
    const list = (body as { offsets?: unknown } | null)?.offsets;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_OFFSET_CHANGES) {
      return refuse(400, 'invalid_offsets', `the body must be {"offsets": [{"partition": "<source partition>", "offset": {...} | null}, ...]} with 1 to ${MAX_OFFSET_CHANGES} entries`);
    }
    const spec = this.host.types.get(type)!;
    const changes: OffsetChanges = new Map();
    const problems: { index: number; problem: string }[] = [];
    list.forEach((entry: unknown, index) => {
      const { partition, offset } = (entry ?? {}) as { partition?: unknown; offset?: unknown };
      if (typeof partition !== 'string' || partition === '' || partition.length > 1024) return problems.push({ index, problem: 'partition must be a non-empty string' });
      if (offset === null) return changes.set(partition, null);
      if (offset === undefined || typeof offset !== 'object' || Array.isArray(offset)) return problems.push({ index, problem: 'offset must be an object or null (null deletes it)' });
      const problem = spec.offsetProblem(partition, offset as SourceOffset);
      if (problem !== null) return problems.push({ index, problem });
      return changes.set(partition, offset as SourceOffset);
    });
    if (problems.length > 0) return refuse(400, 'invalid_offsets', `${problems.length} offset(s) refused; details has them by index`, problems);
    return { ok: true, value: changes };
  }
}

function entries(offsets: ReadonlyMap<string, SourceOffset>): OffsetEntry[] {
  return [...offsets].map(([partition, offset]) => ({ partition, offset }));
}
