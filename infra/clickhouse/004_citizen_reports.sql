-- Citizen reports, pseudonymous tier: no free text (it may name people), no reporter contact, no
-- address line or coordinates of the reported place (they can point to one house).
CREATE TABLE IF NOT EXISTS citizen_reports {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id: one row per report.',
    source LowCardinality(String) COMMENT 'Source system: pccovid, hotline-1022.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the source received the report (UTC).',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT 'Province the report is about (2-digit GSO code); empty when unknown.',
    district_code LowCardinality(String) COMMENT '3-digit GSO district code of the reported place; empty when unknown.',
    ward_code String COMMENT '5-digit GSO ward code of the reported place; empty when unknown.',
    person_key Nullable(String) COMMENT 'Pseudonymous key of a non-anonymous reporter; null for anonymous reports.',
    report_id String COMMENT 'Report key: source and the source''s record id, e.g. hotline-1022:HCM-2021-0814-00057.',
    category LowCardinality(String) COMMENT 'SUSPECTED_CASE, RETURNEE_FROM_OUTBREAK_AREA, QUARANTINE_VIOLATION, GATHERING, SUPPORT_REQUEST or OTHER.',
    channel LowCardinality(String) COMMENT 'APP, HOTLINE or WEB.',
    anonymous Bool COMMENT 'True when the reporter stayed anonymous.',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer.',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (province_code, category, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Citizen reports (canonical.citizen-report), pseudonymous. Read with FINAL.';
