-- The ClickHouse sink's batch log: before inserting a batch of one topic partition, the sink records
-- its offset range here. A sink that restarts after a crash first re-inserts any range logged at or
-- after its committed offset with exactly the same boundaries, hence the same deduplication token,
-- so ClickHouse drops the repeat (in the base table and in the views alike).
CREATE TABLE IF NOT EXISTS sink_batches {{on_cluster}}
(
    topic LowCardinality(String) COMMENT 'Kafka topic of the batch.',
    partition UInt32 COMMENT 'Kafka partition of the batch.',
    first_offset UInt64 COMMENT 'Offset of the first record of the batch.',
    last_offset UInt64 COMMENT 'Offset of the last record of the batch.',
    logged_at DateTime64(3, 'UTC') COMMENT 'When the sink logged the batch.'
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY (topic, partition, first_offset)
TTL toDateTime(logged_at) + INTERVAL 7 DAY
COMMENT 'Internal to the ClickHouse sink: offset ranges of the batches it inserted (kept 7 days, the default Kafka retention).';
