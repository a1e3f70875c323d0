/**
 * Runs the pull connector instances of the connector store (a Kafka Connect worker): one runner per
 * instance, made from its type and configuration, kept in its target state. It follows the store,
 * so an instance created, changed, paused, stopped or deleted through the API (by any process)
 * applies here within moments; a changed configuration restarts the instance. One host per config
 * topic: two would run each instance twice (they would fence each other in turn, without duplicates).
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../services/platform/logger.ts';
import { withDefaults, validateConfig } from './config-spec.ts';
import { ConnectorRunner } from './connector-runner.ts';
import type { ConnectorStore, ConnectorInstance } from './connector-store.ts';
import type { ConnectorType } from './connector-type.ts';
import type { ConnectorStatus, ManagedConnector } from './managed-connector.ts';
import type { RawRecordCodec } from '../../services/platform/raw-records.ts';

export interface ConnectorHostOptions {
  store: ConnectorStore;
  types: ReadonlyMap<string, ConnectorType>;
  kafka: Kafka;
  codecs: ReadonlyMap<string, RawRecordCodec>;
  logger: Logger;
}

/** An instance whose stored configuration cannot run (a type this version lacks, a field it refuses): shown as FAILED. */
class UnrunnableConnector implements ManagedConnector {
  readonly name: string;
  readonly type: string;
  private readonly problem: { at: string; message: string };

  constructor(instance: ConnectorInstance, message: string) {
    this.name = instance.name;
    this.type = instance.type;
    this.problem = { at: new Date().toISOString(), message };
  }

  status(): ConnectorStatus {
    return { name: this.name, type: this.type, state: 'FAILED', records: 0, rejected: 0, errors: 1, lastError: this.problem, lastCrash: null };
  }

  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  async restart(): Promise<void> {}
  async stop(): Promise<void> {}
  start(): void {}
}

type Runner = ConnectorRunner | UnrunnableConnector;

interface Running {
  instance: ConnectorInstance;
  runner: Runner;
}

export class ConnectorHost {
  readonly store: ConnectorStore;
  readonly types: ReadonlyMap<string, ConnectorType>;
  private readonly options: ConnectorHostOptions;
  private readonly running = new Map<string, Running>();
  /** Changes apply one at a time, in the order the store saw them. */
  private queue: Promise<void> = Promise.resolve();
  private readonly unfollow: () => void;

  constructor(options: ConnectorHostOptions) {
    this.options = options;
    this.store = options.store;
    this.types = options.types;
    this.unfollow = options.store.onChange((name) => void this.reconcile(name));
  }

  /** Starts every stored instance; resolves once each is in its target state (a paused one, parked). */
  async start(): Promise<void> {
    for (const instance of this.store.list()) void this.reconcile(instance.name);
    await this.settled();
  }

  /** The instances, in creation order. */
  get connectors(): ManagedConnector[] {
    return this.store.list().flatMap((instance) => {
      const running = this.running.get(instance.name);
      return running ? [running.runner] : [];
    });
  }

  get(name: string): ManagedConnector | undefined {
    return this.running.get(name)?.runner;
  }

  /** Resolves once every change seen so far is applied. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** A new session for the instance (offsets read again); a paused instance stays paused. */
  async restart(name: string): Promise<void> {
    await this.settled();
    const running = this.running.get(name);
    if (!running || running.instance.state === 'STOPPED') return;
    await running.runner.restart();
    if (running.instance.state === 'PAUSED') await running.runner.pause();
  }

  private reconcile(name: string): Promise<void> {
    this.queue = this.queue.then(() => this.apply(name)).catch((error: unknown) => {
      this.options.logger.error({ connector: name, err: (error as Error).message }, 'applying a connector change failed');
    });
    return this.queue;
  }

  private async apply(name: string): Promise<void> {
    const wanted = this.store.get(name);
    let running = this.running.get(name);
    if (running && (!wanted || wanted.type !== running.instance.type || JSON.stringify(wanted.config) !== JSON.stringify(running.instance.config))) {
      await running.runner.stop();
      this.running.delete(name);
      running = undefined;
      if (!wanted) this.options.logger.info({ connector: name }, 'connector deleted');
    }
    if (!wanted) return;
    if (!running) {
      running = { instance: wanted, runner: await this.runnerOf(wanted) };
      this.running.set(name, running);
    }
    running.instance = wanted;
    const { runner } = running;
    if (wanted.state === 'STOPPED') {
      await runner.stop();
    } else {
      runner.start();
      await (wanted.state === 'PAUSED' ? runner.pause() : runner.resume());
    }
    this.options.logger.info({ connector: name, type: wanted.type, state: wanted.state }, 'connector applied');
  }

  private async runnerOf(instance: ConnectorInstance): Promise<Runner> {
    const { kafka, codecs, logger } = this.options;
    const type = this.types.get(instance.type);
    if (!type) return new UnrunnableConnector(instance, `no connector type ${JSON.stringify(instance.type)} (types: ${[...this.types.keys()].join(', ')})`);
    // Checked when written; checked again because the catalogue or the settings may have changed since.
    const { report } = await validateConfig(type.name, type.fields, instance.config, { name: instance.name, others: [] });
    if (report.error_count > 0) {
      const problems = report.configs.flatMap((field) => field.value.errors.map((error) => `${field.value.name} ${error}`));
      logger.error({ connector: instance.name, problems }, 'stored connector configuration refused; the connector does not run');
      return new UnrunnableConnector(instance, `configuration refused: ${problems.join('; ')}`);
    }
    const connector = type.create(instance.name, withDefaults(type.fields, instance.config), logger);
    return new ConnectorRunner({ name: instance.name, connector, kafka, codecs, logger });
  }

  /** Lets each connector finish the batch in hand, then stops it and stops following the store. */
  async close(): Promise<void> {
    this.unfollow();
    await this.settled();
    await Promise.all([...this.running.values()].map(({ runner }) => runner.stop()));
    await this.store.close();
  }
}
