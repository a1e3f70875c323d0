/**
 * `truc migrate`: applies the ClickHouse migrations of infra/clickhouse (what `npm start` and the
 * sink do at start-up) on their own, or with --status lists what is applied and pending.
 */
import { createClickHouse, isFolderLockedError } from '../platform/clickhouse.ts';
import { loadConfig } from '../platform/config.ts';
import { migrate } from '../clickhouse/migrations.ts';
import { parseCommandArgs, type Command } from './command.ts';

const HELP = `usage: truc migrate [--status]

Applies the numbered SQL files of infra/clickhouse not yet applied to the configured ClickHouse
(CLICKHOUSE_URL, else the embedded engine in CLICKHOUSE_DATA_DIR), in order, recording each in
schema_migrations; then loads the province dimension. Running it again changes nothing.
--status lists applied and pending migrations without changing anything.
With CLICKHOUSE_CLUSTER set, DDL runs ON CLUSTER with replicated engines.
`;

export const MIGRATE_COMMAND: Command = {
  name: 'migrate',
  summary: 'apply the ClickHouse migrations (tables, views) of infra/clickhouse',
  async run(args) {
    const { values } = parseCommandArgs({ args, options: { status: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const config = loadConfig();
    let handle;
    try {
      handle = await createClickHouse(config.clickhouse);
    } catch (error) {
      if (isFolderLockedError(error)) {
        process.stderr.write(
          `truc migrate: the embedded ClickHouse in ${config.clickhouse.dataDir} is in use by a running Truc, which has applied the migrations at its start.\n`,
        );
        return 1;
      }
      throw error;
    }
    try {
      const report = await migrate(handle, { cluster: config.clickhouse.cluster, dryRun: values.status === true });
      for (const name of report.alreadyApplied) process.stdout.write(`applied   ${name}\n`);
      for (const name of report.applied) process.stdout.write(`applying  ${name} ... done\n`);
      for (const name of report.pending) process.stdout.write(`pending   ${name}\n`);
      const where = config.clickhouse.url ?? config.clickhouse.dataDir;
      process.stdout.write(
        values.status
          ? `${report.alreadyApplied.length} applied, ${report.pending.length} pending in ${config.clickhouse.database} (${where})\n`
          : `${report.applied.length} applied now, ${report.alreadyApplied.length} already in ${config.clickhouse.database} (${where})\n`,
      );
      return 0;
    } finally {
      await handle.close();
    }
  },
};
