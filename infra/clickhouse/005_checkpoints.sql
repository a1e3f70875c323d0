-- The checkpoint registry, every version received (the latest per checkpoint_id is the registry:
-- argMax(..., occurred_at) or LIMIT 1 BY checkpoint_id). A checkpoint is not about a person.
CREATE TABLE IF NOT EXISTS checkpoints {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id: one row per registry version.',
    source LowCardinality(String) COMMENT 'Source system: checkpoint-ops.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the registry entry was changed (or uploaded) (UTC).',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT 'Province of the checkpoint (2-digit GSO code); empty when unknown.',
    checkpoint_id String COMMENT 'Checkpoint key, e.g. BD-QL13-01.',
    name String COMMENT 'Checkpoint name as registered.',
    type LowCardinality(String) COMMENT 'ROAD, AIRPORT, SEAPORT, BORDER_GATE or RAIL_STATION.',
    district_code LowCardinality(String) COMMENT '3-digit GSO district code; empty when unknown.',
    road Nullable(String) COMMENT 'Road the checkpoint is on, as registered.',
    km_marker Nullable(String) COMMENT 'Kilometre marker as registered.',
    managing_level LowCardinality(Nullable(String)) COMMENT 'NATIONAL, PROVINCIAL, DISTRICT or COMMUNE.',
    managing_agency Nullable(String) COMMENT 'Agency running the checkpoint.',
    status LowCardinality(String) COMMENT 'ACTIVE, SUSPENDED or CLOSED.',
    latitude Nullable(Float64) COMMENT 'WGS 84 latitude; null when not registered.',
    longitude Nullable(Float64) COMMENT 'WGS 84 longitude; null when not registered.',
    location_qr_id Nullable(String) COMMENT 'PC-Covid location QR id posted at the checkpoint.',
    valid_from Nullable(DateTime64(3, 'UTC')) COMMENT 'Operating from (inclusive, UTC); null when not registered.',
    valid_to Nullable(DateTime64(3, 'UTC')) COMMENT 'Operating until (exclusive, UTC); null: open-ended.',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer.',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (checkpoint_id, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Checkpoint registry versions (canonical.checkpoint). Read with FINAL; latest per checkpoint_id is current.';
