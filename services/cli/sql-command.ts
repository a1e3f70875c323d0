/**
 * `truc sql "<query>"`: an analyst's read-only query, wherever the data is.
 * - CLICKHOUSE_URL set: that server, with readonly=1 on the query.
 * - else, when the pipeline runs: its read-only endpoint (the running process owns the embedded
 *   engine's folder, and the engine admits one process per folder), found by asking /ping at
 *   CLICKHOUSE_ENDPOINT_HOST:PORT.
 * - else: the embedded folder itself, opened read-only in this process.
 * Through the endpoint or on the folder, the query passes the same check (the analysts' policy of
 * ReadOnlyEngine, on the engine's own parse of the query) and runs read-only; on CLICKHOUSE_URL the
 * server's own users and readonly=1 confine it.
 */
import { readFileSync } from 'node:fs';
import { ClickHouseLogLevel, createClient, type DataFormat } from '@clickhouse/client';
import { loadAnalystCredentials } from '../clickhouse-endpoint/analyst-credentials.ts';
import { endpointUrl as reachableEndpointUrl } from '../clickhouse-endpoint/endpoint-url.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import { UsageError, parseCommandArgs, type Command } from './command.ts';
import { renderFooter, renderTable, type CompactResult } from './sql-output.ts';

const HELP = `usage: truc sql [--format table|csv|json] [--database NAME] "<query>"   (or - to read the query from stdin)

Runs one read-only query (SELECT, WITH, SHOW, DESCRIBE, EXISTS, EXPLAIN) on Truc's ClickHouse data
and prints an aligned table (default), CSV with a header line, or JSON (one object per line); the
row count, query time and rows read go to stderr. A query with its own FORMAT clause is printed as
the engine formats it. Where it runs: CLICKHOUSE_URL when set; else the running pipeline's
analysts' endpoint (CLICKHOUSE_ENDPOINT_HOST:PORT); else the embedded data folder
(CLICKHOUSE_DATA_DIR) opened in this process.
`;

const ENGINE_FORMATS = { table: 'JSONCompact', csv: 'CSVWithNames', json: 'JSONEachRow' } as const;
type OutputFormat = keyof typeof ENGINE_FORMATS;

interface QueryAnswer {
  body: Buffer;
  /** The format of `body`: the query's own FORMAT clause, else the one asked for. */
  format: string;
  rowsRead: number;
  elapsedSeconds: number;
}

interface SqlTarget {
  /** Where the query ran, for messages. */
  name: string;
  run(sql: string, format: string): Promise<QueryAnswer>;
  close(): Promise<void>;
}

class QueryFailure extends Error {}

/** True when the endpoint answers /ping as a ClickHouse server does. */
async function endpointAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
    return response.ok && (await response.text()) === 'Ok.\n';
  } catch {
    return false;
  }
}

function httpTarget(name: string, options: { url: string; username: string; password: string; database: string }): SqlTarget {
  const client = createClient({ ...options, log: { level: ClickHouseLogLevel.OFF } });
  return {
    name,
    async run(sql, format) {
      const started = performance.now();
      try {
        const result = await client.exec({ query: sql, clickhouse_settings: { default_format: format as DataFormat, readonly: '1' } });
        const chunks: Buffer[] = [];
        for await (const chunk of result.stream) chunks.push(chunk as Buffer);
        const elapsedNs = Number(result.summary?.elapsed_ns);
        const answered = result.response_headers['x-clickhouse-format'];
        return {
          body: Buffer.concat(chunks),
          format: typeof answered === 'string' ? answered : format,
          rowsRead: Number(result.summary?.read_rows ?? 0),
          elapsedSeconds: Number.isFinite(elapsedNs) && elapsedNs > 0 ? elapsedNs / 1e9 : (performance.now() - started) / 1000,
        };
      } catch (error) {
        const { code, type } = error as { code?: string; type?: string };
        throw new QueryFailure(code ? `ClickHouse error ${code}${type ? ` (${type})` : ''}: ${(error as Error).message.trim()}` : `${name}: ${(error as Error).message}`);
      }
    },
    close: () => client.close(),
  };
}

async function embeddedTarget(config: Config, endpointUrl: string): Promise<SqlTarget> {
  // Loaded only here: the engine is a large native library the HTTP paths do not need.
  const { ReadOnlyEngine } = await import('../clickhouse-endpoint/readonly-engine.ts');
  const { isFolderLockedError } = await import('../platform/clickhouse.ts');
  const { ClickHouseHttpError } = await import('../clickhouse-endpoint/clickhouse-errors.ts');
  const dataDir = config.clickhouse.dataDir;
  let engine: Awaited<ReturnType<typeof ReadOnlyEngine.open>>;
  try {
    engine = await ReadOnlyEngine.open(dataDir, config.clickhouseEndpoint);
  } catch (error) {
    if (isFolderLockedError(error)) {
      throw new QueryFailure(
        `the ClickHouse data folder ${dataDir} is held by another process, and no analysts' endpoint answers at ${endpointUrl}. ` +
          'Query through that process\'s endpoint (check CLICKHOUSE_ENDPOINT_HOST/PORT), or stop it and run truc sql again.',
      );
    }
    if (/no ClickHouse data folder/.test((error as Error).message)) {
      throw new QueryFailure(`no ClickHouse data at ${dataDir} yet: start the pipeline (npm start) first, or set CLICKHOUSE_URL`);
    }
    throw error;
  }
  return {
    name: `the embedded engine on ${dataDir}`,
    async run(sql, format) {
      try {
        return await engine.query({ sql, database: config.clickhouse.database, format, settings: {}, params: {}, rowLevel: config.clickhouseEndpoint.localRowLevel });
      } catch (error) {
        if (error instanceof ClickHouseHttpError) throw new QueryFailure(`ClickHouse error ${error.code} (${error.type}): ${error.message}`);
        throw error;
      }
    },
    close: () => engine.close(),
  };
}

async function chooseTarget(config: Config): Promise<SqlTarget> {
  const { clickhouse } = config;
  if (clickhouse.url) {
    return httpTarget(`ClickHouse at ${clickhouse.url}`, {
      url: clickhouse.url,
      username: clickhouse.username,
      password: clickhouse.password,
      database: clickhouse.database,
    });
  }
  const endpointUrl = reachableEndpointUrl(config.clickhouseEndpoint.host, config.clickhouseEndpoint.port);
  if (await endpointAnswers(endpointUrl)) {
    let credentials;
    try {
      credentials = loadAnalystCredentials(config.clickhouseEndpoint, false);
    } catch (error) {
      throw new QueryFailure((error as Error).message);
    }
    return httpTarget(`the analysts' endpoint at ${endpointUrl}`, {
      url: endpointUrl,
      username: credentials.user,
      password: credentials.password,
      database: clickhouse.database,
    });
  }
  return embeddedTarget(config, endpointUrl);
}

function printResult(format: OutputFormat, answer: QueryAnswer): void {
  let rows: number | null = null;
  if (answer.format !== ENGINE_FORMATS[format] || format === 'csv') {
    process.stdout.write(answer.body);
  } else if (format === 'json') {
    process.stdout.write(answer.body);
    rows = answer.body.toString('utf8').split('\n').filter((line) => line !== '').length;
  } else {
    const result = JSON.parse(answer.body.toString('utf8')) as CompactResult;
    process.stdout.write(renderTable(result));
    rows = result.data.length;
  }
  process.stderr.write(renderFooter({ rows, elapsedSeconds: answer.elapsedSeconds, rowsRead: answer.rowsRead }));
}

export const SQL_COMMAND: Command = {
  name: 'sql',
  summary: 'run a read-only query on the ClickHouse tables (table, csv or json output)',
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'table' },
        database: { type: 'string', short: 'd' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (!(values.format in ENGINE_FORMATS)) throw new UsageError(`--format must be table, csv or json, not ${JSON.stringify(values.format)}`);
    if (positionals.length !== 1) throw new UsageError('give the query as one argument (quote it), or - to read it from stdin');
    const sql = positionals[0] === '-' ? readFileSync(0, 'utf8') : positionals[0]!;
    const format = values.format as OutputFormat;

    if (sql.trim() === '') throw new UsageError('the query is empty');

    const config = loadConfig(values.database === undefined ? process.env : { ...process.env, CLICKHOUSE_DATABASE: values.database });
    let target: SqlTarget;
    try {
      target = await chooseTarget(config);
    } catch (error) {
      if (!(error instanceof QueryFailure)) throw error;
      process.stderr.write(`truc sql: ${error.message}\n`);
      return 1;
    }
    try {
      const answer = await target.run(sql, ENGINE_FORMATS[format]);
      printResult(format, answer);
      return 0;
    } catch (error) {
      if (!(error instanceof QueryFailure)) throw error;
      process.stderr.write(`truc sql: ${error.message}\n`);
      return 1;
    } finally {
      await target.close();
    }
  },
};
