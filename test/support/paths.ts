import path from 'node:path';
import { REPO_ROOT } from '../../services/platform/config.ts';

/** Embedded ClickHouse folders of test runs (one subfolder per run, one per worker within it), removed after each run. */
export const TEST_CLICKHOUSE_ROOT = path.join(REPO_ROOT, '.truc/test-clickhouse');
