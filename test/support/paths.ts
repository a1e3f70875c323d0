import path from 'node:path';
import { REPO_ROOT } from '../../services/platform/config.ts';

/** Embedded ClickHouse folders of test workers, one per worker process, removed after the run. */
export const TEST_CLICKHOUSE_ROOT = path.join(REPO_ROOT, '.truc/test-clickhouse');
