-- Checkpoint passages, pseudonymous tier: no identity document, no vehicle plate.
CREATE TABLE IF NOT EXISTS checkpoint_passages {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id: one row per passage.',
    source LowCardinality(String) COMMENT 'Source system: pccovid, checkpoint-ops.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the person passed (UTC); equal to passed_at.',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT 'Province of the checkpoint (2-digit GSO code); empty when unknown.',
    person_key Nullable(String) COMMENT 'Pseudonymous person key; null when the person could not be identified.',
    checkpoint_id String COMMENT 'Checkpoint key (checkpoints.checkpoint_id).',
    checkpoint_name Nullable(String) COMMENT 'Checkpoint name from the registry; null when not (yet) registered.',
    checkpoint_type LowCardinality(Nullable(String)) COMMENT 'Checkpoint type from the registry.',
    checkpoint_province_code LowCardinality(String) COMMENT 'Checkpoint province from the registry; empty when unknown.',
    direction LowCardinality(String) COMMENT 'IN, OUT, or empty when not recorded.',
    passed_at DateTime64(3, 'UTC') COMMENT 'When the person passed (UTC).',
    identification_method LowCardinality(String) COMMENT 'PERSONAL_QR, CHIP_ID_CARD, LOCATION_QR or MANUAL.',
    health_status LowCardinality(String) COMMENT 'GREEN, YELLOW, RED or UNKNOWN.',
    outcome LowCardinality(String) COMMENT 'ALLOWED, TURNED_BACK, SENT_TO_TESTING, SENT_TO_QUARANTINE, or empty when not recorded.',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer.',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (checkpoint_id, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Checkpoint passages (canonical.checkpoint-passage), pseudonymous. Read with FINAL.';
