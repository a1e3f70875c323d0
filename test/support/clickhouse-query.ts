/**
 * Runs queries on an embedded ClickHouse folder in a process of its own (the engine admits one
 * folder per process and one process per folder), printing one JSON array of result rows per
 * query. `node test/support/clickhouse-query.ts <dataDir> <database> '<query>' ...`
 */
import { createClickHouse } from '../../services/platform/clickhouse.ts';

const [dataDir, database, ...queries] = process.argv.slice(2);
const handle = await createClickHouse({ url: null, username: 'default', password: '', database: database!, dataDir: dataDir!, cluster: null });
try {
  const results = [];
  for (const query of queries) results.push(await (await handle.client.query({ query, format: 'JSONEachRow' })).json());
  process.stdout.write(JSON.stringify(results));
} finally {
  await handle.close();
}
