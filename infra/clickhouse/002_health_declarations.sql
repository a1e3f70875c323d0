-- Health declarations, pseudonymous tier: no name, document, phone or address line.
CREATE TABLE IF NOT EXISTS health_declarations {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id (UUIDv5 of source, kind and source record id): one row per declaration.',
    source LowCardinality(String) COMMENT 'Source system: vhd, ncovi, pccovid, c06.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the person declared (UTC).',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT '2-digit GSO code of the province of residence; empty when unknown. Join provinces.code.',
    district_code LowCardinality(String) COMMENT '3-digit GSO district code of residence; empty when unknown.',
    ward_code String COMMENT '5-digit GSO ward code of residence; empty when unknown.',
    person_key Nullable(String) COMMENT 'Pseudonymous person key (keyed HMAC of the identity document): joins one person''s records across kinds.',
    declaration_type LowCardinality(String) COMMENT 'DOMESTIC, ENTRY or WHOLE_POPULATION.',
    birth_year Nullable(UInt16) COMMENT 'Year of birth.',
    gender LowCardinality(Nullable(String)) COMMENT 'MALE, FEMALE or OTHER; null when not declared.',
    nationality LowCardinality(Nullable(String)) COMMENT 'ISO 3166-1 alpha-2 nationality, when declared.',
    symptoms Array(LowCardinality(String)) COMMENT 'Symptoms of the last 14 days (FEVER, COUGH, SHORTNESS_OF_BREATH, ...); empty when none.',
    contact_with_case Nullable(Bool) COMMENT 'Contact with a confirmed or suspected case; null when not answered.',
    from_outbreak_area Nullable(Bool) COMMENT 'Contact with someone from, or travel through, an outbreak area; null when not answered.',
    contact_with_symptomatic Nullable(Bool) COMMENT 'Contact with someone with fever, cough or shortness of breath; null when not answered.',
    places_visited_count UInt16 COMMENT 'How many places visited were declared (the places themselves are free text and stay out of this tier).',
    vaccine_doses UInt8 COMMENT 'COVID-19 vaccine doses received.',
    last_dose_date Nullable(Date32) COMMENT 'Date of the last dose.',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer (e.g. CCCD_BIRTH_YEAR_MISMATCH).',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (province_code, declaration_type, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Health declarations (canonical.health-declaration), pseudonymous. Read with FINAL for exactly one row per event_id.';
