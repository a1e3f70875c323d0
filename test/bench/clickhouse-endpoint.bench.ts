/**
 * The analysts' endpoint on the embedded engine: latency of a small query (endpoint vs the
 * pipeline's own in-process client, to show the HTTP and session overhead) and the part of it the
 * analysts' policy check takes, queries per second with a few concurrent analysts (each their own
 * account), and the rate of a large TSV result. Needs no Kafka: a temporary folder with one million
 * declaration-like rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClickHouseEndpoint } from '../../services/clickhouse-endpoint/endpoint.ts';
import { createClickHouse } from '../../services/platform/clickhouse.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { hashPassword } from '../../services/platform/password-hash.ts';
import { pino } from 'pino';
import { percentile, printFigure } from './support.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL_QUERIES = Number(process.env.BENCH_QUERIES ?? 400);
const PASSWORD = 'bench-analyst-password';

const root = mkdtempSync(path.join(os.tmpdir(), 'truc-endpoint-bench-'));
const config = loadConfig({ ...process.env, CLICKHOUSE_DATA_DIR: path.join(root, 'clickhouse'), CLICKHOUSE_ENDPOINT_PORT: '0', CLICKHOUSE_ANALYST_PASSWORD: PASSWORD });
const clickhouse = await createClickHouse(config.clickhouse);
const ANALYSTS = ['analyst', 'analyst2', 'analyst3', 'analyst4'];
const passwordHash = await hashPassword(PASSWORD);
const accounts = new Map(ANALYSTS.map((name) => [name, [passwordHash]]));
// The endpoint logs each answered query's check time at debug level; the bench reads it from there.
const checkTimes: number[] = [];
const logger = pino({ level: 'debug' }, {
  write(line: string) {
    const entry = JSON.parse(line) as { checkMs?: number };
    if (typeof entry.checkMs === 'number') checkTimes.push(entry.checkMs);
  },
});
const endpoint = await startClickHouseEndpoint({ config, logger, clickhouse, analysts: () => accounts });
const headersOf = (analyst: string) => ({ authorization: `Basic ${Buffer.from(`${analyst}:${PASSWORD}`).toString('base64')}` });
const headers = headersOf('analyst');

try {
  await clickhouse.client.command({
    query: `CREATE TABLE decl (province_code LowCardinality(String), day Date, person_key String, fever UInt8, cough UInt8)
            ENGINE = MergeTree ORDER BY (province_code, day)`,
  });
  await clickhouse.client.command({
    query: `INSERT INTO decl SELECT leftPad(toString(number % 63 + 1), 2, '0'), toDate('2021-07-01') + number % 60,
            hex(sipHash128(number)), number % 7 = 0, number % 11 = 0 FROM numbers(${ROWS})`,
  });
  console.log(`analysts' endpoint on the embedded engine: ${ROWS.toLocaleString('en-US')} rows, ${os.cpus().length} cores`);

  const small = "SELECT day, count() AS declarations, sum(fever) AS fever FROM decl WHERE province_code = '01' AND day = '2021-08-14' GROUP BY day";
  const viaEndpoint = async (sql: string, analyst = 'analyst'): Promise<string> => {
    const response = await fetch(`${endpoint.url}/?default_format=JSONEachRow`, { method: 'POST', body: sql, headers: headersOf(analyst) });
    if (response.status !== 200) throw new Error(`endpoint answered ${response.status}: ${await response.text()}`);
    return response.text();
  };
  const timeEach = async (run: () => Promise<unknown>, count: number): Promise<number[]> => {
    for (let i = 0; i < 20; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await run();
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b);
  };

  const direct = await timeEach(async () => (await clickhouse.client.query({ query: small, format: 'JSONEachRow' })).json(), SMALL_QUERIES);
  const http = await timeEach(() => viaEndpoint(small), SMALL_QUERIES);
  // The endpoint remembers the verdict on a statement it has seen; a new comment makes each text new.
  let fresh = 0;
  const httpFresh = await timeEach(() => viaEndpoint(`${small} -- ${fresh++}`), SMALL_QUERIES);
  const checks = checkTimes.slice(-SMALL_QUERIES).sort((a, b) => a - b);
  printFigure('small query, in-process client p50', percentile(direct, 50), 'ms');
  printFigure('small query, in-process client p99', percentile(direct, 99), 'ms');
  printFigure('small query, endpoint p50', percentile(http, 50), 'ms');
  printFigure('small query, endpoint p99', percentile(http, 99), 'ms');
  printFigure('small query, endpoint p50, each text new', percentile(httpFresh, 50), 'ms', 'the policy check not remembered');
  printFigure('  of which the policy check p50', percentile(checks, 50), 'ms', 'formatQuery + EXPLAIN AST');
  printFigure('  of which the policy check p99', percentile(checks, 99), 'ms');

  for (const analysts of [1, 4]) {
    const start = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: analysts }, async (_, i) => {
        while (done < SMALL_QUERIES) {
          done += 1;
          await viaEndpoint(small, ANALYSTS[i]);
        }
      }),
    );
    printFigure(`small queries/s, ${analysts} concurrent analyst(s)`, done / ((performance.now() - start) / 1000), 'queries/s');
  }

  const aggregate = 'SELECT province_code, day, count(), sum(fever), sum(cough) FROM decl GROUP BY province_code, day ORDER BY province_code, day';
  const aggregateTimes = await timeEach(() => viaEndpoint(aggregate), 20);
  printFigure('full-table aggregate (63 x 60 groups) p50', percentile(aggregateTimes, 50), 'ms', `${ROWS.toLocaleString('en-US')} rows scanned`);

  const start = performance.now();
  const response = await fetch(`${endpoint.url}/`, { method: 'POST', body: 'SELECT * FROM decl LIMIT 500000 FORMAT TabSeparated', headers });
  const body = Buffer.from(await response.arrayBuffer());
  const seconds = (performance.now() - start) / 1000;
  printFigure('large TSV result, 500,000 rows', 500_000 / seconds, 'rows/s', `${(body.length / 1024 / 1024 / seconds).toFixed(1)} MiB/s`);
} finally {
  await endpoint.close();
  await clickhouse.close();
  rmSync(root, { recursive: true, force: true });
}
