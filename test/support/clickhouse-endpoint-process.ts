/**
 * A stand-in for the pipeline's process in `truc sql` tests: owns an embedded ClickHouse folder
 * (CLICKHOUSE_DATA_DIR), fills a small table, serves the analysts' endpoint and logs JSON lines
 * (the endpoint's "serving" line carries its url). SIGTERM closes everything and releases the folder.
 */
import { startClickHouseEndpoint } from '../../services/clickhouse-endpoint/endpoint.ts';
import { createClickHouse } from '../../services/platform/clickhouse.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { createAnalystTable } from './analyst-table.ts';

const config = loadConfig();
const logger = createLogger('clickhouse-endpoint-process', config.logLevel);
const clickhouse = await createClickHouse(config.clickhouse);
await createAnalystTable(clickhouse);
const endpoint = await startClickHouseEndpoint({ config, logger, clickhouse });

process.once('SIGTERM', () => {
  void (async () => {
    await endpoint.close();
    await clickhouse.close();
    logger.info('stopped');
    process.exit(0);
  })();
});
