/**
 * The end of an epidemic's data life (`truc sunset`, README "Sunset"). In order:
 *  1. refuse what cannot be done safely: a secret Truc cannot replace (PERSON_KEY_SECRET), the
 *     normalizer running in another process too (it would keep keying with the old secret), a
 *     ClickHouse action without the engine in this process;
 *  2. stop ingest: HTTP ingest answers 503 and every running pull connector pauses, each once what
 *     it had in hand is written;
 *  3. let the normalizer, the ClickHouse sink and every active subscription catch up (a timeout
 *     gives up, resumes ingest and says who was behind: nothing is erased then);
 *  4. erase what the configuration says (SUNSET_<STORE>): topics emptied, ClickHouse's row-level
 *     tables anonymised or emptied; the audit kept;
 *  5. rotate the person_key secret and destroy the old one, so records from now on get pseudonyms
 *     that do not link to the old ones;
 *  6. resume ingest, and write the signed receipt to the audit.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { eraseRowLevelTables, type ErasedTable } from '../../connectors/clickhouse-sink/row-erasure.ts';
import type { ManagedConnector } from '../../connectors/runtime/managed-connector.ts';
import { actionRecord, type AuditLog } from '../platform/audit-log.ts';
import type { ClickHouseHandle } from '../platform/clickhouse.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { PersonKeySecret } from '../platform/person-key.ts';
import { waitForDrain, type DrainGroup } from './drain.ts';
import { loadSigningKey, signReceipt, type SignedReceipt, type SunsetReceipt } from './receipt.ts';
import { eraseTopics } from './topic-erasure.ts';

/** What the operator types (or sends) to confirm: the sunset cannot be undone. */
export const SUNSET_CONFIRMATION = 'erase and rotate';

/** A sunset that was not done, and why, in words for the operator; nothing was erased. */
export class SunsetRefusal extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The stages of this process the sunset stops, waits for and resumes. */
export interface SunsetStages {
  ingest: ManagedConnector;
  /** The pull connectors running now. */
  pullConnectors: () => readonly ManagedConnector[];
  /** The groups to wait for, and the paused subscriptions not waited for. */
  drainGroups: () => { groups: DrainGroup[]; notWaitedFor: string[] };
  /** The engine, where this process holds it (needed unless SUNSET_CLICKHOUSE=keep). */
  clickhouse: ClickHouseHandle | null;
}

export interface SunsetOptions {
  config: Config;
  logger: Logger;
  kafka: Kafka;
  audit: AuditLog;
  secret: PersonKeySecret;
  stages: SunsetStages;
}

export class Sunset {
  private readonly options: SunsetOptions;
  private running = false;

  constructor(options: SunsetOptions) {
    this.options = options;
  }

  async run(): Promise<SignedReceipt> {
    if (this.running) throw new SunsetRefusal(409, 'sunset_running', 'a sunset is already running');
    this.running = true;
    try {
      return await this.runOnce();
    } finally {
      this.running = false;
    }
  }

  private async refuseUnsafe(): Promise<void> {
    const { config, kafka, secret, stages } = this.options;
    if (secret.file === null) {
      throw new SunsetRefusal(409, 'secret_not_rotatable', 'the person_key secret comes from PERSON_KEY_SECRET, which Truc cannot replace or destroy: keep it in PERSON_KEY_SECRET_FILE instead, then run the sunset');
    }
    if (config.sunset.actions.clickhouse !== 'keep' && stages.clickhouse === null) {
      throw new SunsetRefusal(409, 'clickhouse_elsewhere', `SUNSET_CLICKHOUSE=${config.sunset.actions.clickhouse} needs the ClickHouse engine, which this process does not hold`);
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [group] = (await admin.describeGroups([config.normalizer.groupId])).groups;
      if (group && group.members.length > 1) {
        throw new SunsetRefusal(409, 'normalizer_elsewhere',
          `the normalizer group ${config.normalizer.groupId} has ${group.members.length} members: the secret is rotated in this process only, so stop the normalizers of other processes first`);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async runOnce(): Promise<SignedReceipt> {
    const { config, logger, kafka, audit, secret, stages } = this.options;
    await this.refuseUnsafe();
    const signingKey = loadSigningKey(config.sunset.signingKeyFile);
    const sunsetId = randomUUID();
    const startedAt = new Date().toISOString();
    logger.warn({ sunsetId }, 'sunset started: ingest stops');

    const paused: ManagedConnector[] = [];
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const connector of [stages.ingest, ...stages.pullConnectors()]) {
        if (connector.status().state !== 'RUNNING') continue;
        await connector.pause();
        paused.push(connector);
      }
      const { groups, notWaitedFor } = stages.drainGroups();
      const drain = await waitForDrain(admin, groups, { timeoutMs: config.sunset.drainTimeoutMs });
      if (!drain.drained) {
        throw new SunsetRefusal(504, 'not_drained',
          `nothing was erased: after ${config.sunset.drainTimeoutMs} ms ${drain.behind.map((b) => `${b.name} still had ${b.records} records to read`).join('; ')}. Ingest is resumed; pause a subscription that cannot catch up, or try again`);
      }
      logger.warn({ sunsetId, drained: groups.map((g) => g.name) }, 'sunset: pipeline drained, erasing');

      const topics = await eraseTopics(admin, config.sunset);
      const clickhouse: ErasedTable[] = stages.clickhouse ? await eraseRowLevelTables(stages.clickhouse, config.sunset.actions.clickhouse, config.clickhouse.cluster) : [];
      secret.rotate();
      const rotatedAt = new Date().toISOString();
      logger.warn({ sunsetId }, 'sunset: person_key secret rotated, the old one destroyed');

      const receipt: SunsetReceipt = {
        sunsetId,
        startedAt,
        finishedAt: new Date().toISOString(),
        drained: groups.map((group) => group.name),
        notWaitedFor,
        topics,
        clickhouse,
        personKeySecret: { rotatedAt, oldSecret: 'destroyed' },
        audit: 'kept',
      };
      const signed = signReceipt(receipt, signingKey);
      const erased = topics.filter((t) => t.action === 'deleted').reduce((sum, t) => sum + t.offsets, 0)
        + clickhouse.filter((t) => t.action !== 'kept').reduce((sum, t) => sum + t.rows, 0);
      await audit.write([
        actionRecord({ audit_id: `sunset/${sunsetId}`, action: 'sunset', at: Date.now(), actor: 'operator', statement: JSON.stringify(signed), rows_read: erased }),
      ]);
      logger.warn({ sunsetId, erased }, 'sunset done: receipt written to the audit');
      return signed;
    } finally {
      // Ingest resumes however the sunset ended; after a rotation it keys with the new secret.
      for (const connector of paused) await connector.resume().catch((error) => logger.error({ connector: connector.name, err: (error as Error).message }, 'could not resume after the sunset'));
      await admin.disconnect();
    }
  }
}
