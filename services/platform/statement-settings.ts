/**
 * Keeps each call's `clickhouse_settings` to that call on the embedded engine.
 *
 * chdb's connection turns a call's settings into `SET` statements run on its one session, so a
 * setting stays for every later call: an `insert_deduplication_token` sent once made later inserts
 * sent without one look like duplicates, and they were silently dropped. A server takes settings
 * per request, so on the embedded engine this wrapper makes every call also put back (`SET … =
 * DEFAULT`) each setting an earlier call changed and this one does not set itself.
 *
 * The reset list is built when a call starts. A call that brings a setting name no earlier call
 * used therefore waits for the calls in flight and runs alone: a call built before the name was
 * known could otherwise run after it and inherit it.
 */
import type { Connection, ConnBaseQueryParams } from 'chdb/connection';
import type { Readable } from 'node:stream';

/** Setting names are plain identifiers (the engine's own rule; chdb refuses others too). */
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The statements that put back what earlier calls set and `settings` does not. */
export function resetStatements(used: ReadonlySet<string>, settings: ConnBaseQueryParams['clickhouse_settings']): string {
  const own = new Set(Object.entries(settings ?? {}).filter(([, value]) => value !== undefined).map(([name]) => name));
  return [...used]
    .filter((name) => !own.has(name))
    .map((name) => `SET ${name} = DEFAULT; `)
    .join('');
}

type Call<T> = () => Promise<T>;

export class StatementScopedSettings implements Connection<Readable> {
  /** Every setting name a call has sent so far (and so may still be set on the session). */
  private readonly used = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** A call that introduces a new name holds the others back until it is done. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private readonly inner: Connection<Readable>;

  constructor(inner: Connection<Readable>) {
    this.inner = inner;
  }

  private async run<T>(params: ConnBaseQueryParams, call: (query: string) => Promise<T>): Promise<T> {
    const names = Object.entries(params.clickhouse_settings ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name]) => name);
    const invalid = names.find((name) => !SETTING_NAME.test(name));
    if (invalid !== undefined) throw new Error(`invalid ClickHouse setting name ${JSON.stringify(invalid)}`);
    const statement = () => call(resetStatements(this.used, params.clickhouse_settings) + params.query);
    if (names.some((name) => !this.used.has(name))) {
      const turn = this.exclusive.then(async () => {
        await Promise.allSettled([...this.inFlight]);
        for (const name of names) this.used.add(name);
        return this.track(statement);
      });
      this.exclusive = turn.catch(() => undefined);
      return turn;
    }
    // Start only once no call with a new name is queued or running; checked again after each wait.
    let gate: Promise<unknown>;
    do {
      gate = this.exclusive;
      await gate;
    } while (gate !== this.exclusive);
    return this.track(statement);
  }

  private track<T>(call: Call<T>): Promise<T> {
    const running = call();
    this.inFlight.add(running);
    const done = () => this.inFlight.delete(running);
    running.then(done, done);
    return running;
  }

  query(params: Parameters<Connection<Readable>['query']>[0]) {
    return this.run(params, (query) => this.inner.query({ ...params, query }));
  }

  exec(params: Parameters<Connection<Readable>['exec']>[0]) {
    return this.run(params, (query) => this.inner.exec({ ...params, query }));
  }

  command(params: Parameters<Connection<Readable>['command']>[0]) {
    return this.run(params, (query) => this.inner.command({ ...params, query }));
  }

  insert(params: Parameters<Connection<Readable>['insert']>[0]) {
    return this.run(params, (query) => this.inner.insert({ ...params, query }));
  }

  ping(params: Parameters<Connection<Readable>['ping']>[0]) {
    return this.inner.ping(params);
  }

  close() {
    return this.inner.close();
  }
}
