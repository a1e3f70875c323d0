import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLoggedGroups, logGroups } from '../../connectors/clickhouse-sink/batch-log.ts';
import { singleRangeToken } from '../../connectors/clickhouse-sink/flush-plan.ts';
import { migrate } from '../../services/clickhouse/migrations.ts';
import { createClickHouse, type ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import type { Config } from '../../services/platform/config.ts';
import { sinkTestConfig } from '../support/clickhouse-sink.ts';
import { testConfig } from '../support/kafka.ts';

const TOPIC = 'canonical.movement-declaration';

describe('ClickHouse sink batch log (embedded engine)', () => {
  let config: Config;
  let clickhouse: ClickHouseHandle;

  beforeAll(async () => {
    config = sinkTestConfig(testConfig());
    clickhouse = await createClickHouse(config.clickhouse);
    await migrate(clickhouse, { cluster: null });
    // A range logged by a sink from before inserts were grouped: no token.
    await clickhouse.client.insert({
      table: 'sink_batches',
      format: 'JSONEachRow',
      values: [{ topic: TOPIC, partition: 2, first_offset: 0, last_offset: 3, logged_at: Date.now() - 60_000 }],
    });
    await logGroups(clickhouse, [
      { topic: TOPIC, token: 'flush-1', ranges: [{ partition: 0, first: 0, last: 9 }, { partition: 1, first: 0, last: 4 }] },
      { topic: 'canonical.health-declaration', token: 'other-topic', ranges: [{ partition: 0, first: 0, last: 9 }] },
    ]);
    await logGroups(clickhouse, [{ topic: TOPIC, token: 'flush-2', ranges: [{ partition: 0, first: 10, last: 14 }] }]);
    // The same flush retried: logged twice, found once.
    await logGroups(clickhouse, [{ topic: TOPIC, token: 'flush-2', ranges: [{ partition: 0, first: 10, last: 14 }] }]);
  });
  afterAll(async () => {
    await clickhouse?.close();
    rmSync(config.clickhouse.dataDir, { recursive: true, force: true });
  });

  it('finds every insert logged after the committed offsets, in order, each with all its ranges', async () => {
    const groups = await loadLoggedGroups(clickhouse, TOPIC, new Map([[0, -1], [1, -1], [2, -1]]));
    expect(groups).toEqual([
      { token: singleRangeToken(TOPIC, { partition: 2, first: 0, last: 3 }), inserted: false, ranges: [{ partition: 2, first: 0, last: 3 }] },
      { token: 'flush-1', inserted: false, ranges: [{ partition: 0, first: 0, last: 9 }, { partition: 1, first: 0, last: 4 }] },
      { token: 'flush-2', inserted: false, ranges: [{ partition: 0, first: 10, last: 14 }] },
    ]);
  });

  it('marks an insert with a committed range as acknowledged, keeping only its uncommitted ranges', async () => {
    const groups = await loadLoggedGroups(clickhouse, TOPIC, new Map([[0, 10], [1, 0], [2, 4]]));
    expect(groups).toEqual([
      { token: 'flush-1', inserted: true, ranges: [{ partition: 1, first: 0, last: 4 }] },
      { token: 'flush-2', inserted: false, ranges: [{ partition: 0, first: 10, last: 14 }] },
    ]);
  });

  it('finds nothing once everything is committed', async () => {
    expect(await loadLoggedGroups(clickhouse, TOPIC, new Map([[0, 15], [1, 5], [2, 4]]))).toEqual([]);
  });
});
