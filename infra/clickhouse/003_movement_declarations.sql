-- Domestic movement declarations, pseudonymous tier: no name, document, phone or seat; a private
-- vehicle's plate is left out (it can point to its owner), flight, train and coach codes stay.
CREATE TABLE IF NOT EXISTS movement_declarations {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id: one row per declaration.',
    source LowCardinality(String) COMMENT 'Source system: vhd, pccovid.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the person declared (UTC).',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT 'Destination province (2-digit GSO code); empty when unknown.',
    person_key Nullable(String) COMMENT 'Pseudonymous person key: joins one person''s records across kinds.',
    birth_year Nullable(UInt16) COMMENT 'Year of birth.',
    gender LowCardinality(Nullable(String)) COMMENT 'MALE, FEMALE or OTHER; null when not declared.',
    nationality LowCardinality(Nullable(String)) COMMENT 'ISO 3166-1 alpha-2 nationality, when declared.',
    transport_mode LowCardinality(String) COMMENT 'AIR, RAIL, COACH, WATERWAY or PERSONAL.',
    vehicle_code Nullable(String) COMMENT 'Flight, train or coach code as declared; null for PERSONAL journeys (a private plate identifies its owner) or when not declared.',
    origin_province_code LowCardinality(String) COMMENT 'Province the journey starts in (2-digit GSO code); empty when unknown.',
    origin_place Nullable(String) COMMENT 'Station, airport or port of departure as declared.',
    destination_province_code LowCardinality(String) COMMENT 'Province the journey ends in (2-digit GSO code); empty when unknown.',
    destination_place Nullable(String) COMMENT 'Station, airport or port of arrival as declared.',
    departure_date Date32 COMMENT 'Local (UTC+7) date of departure.',
    symptoms Array(LowCardinality(String)) COMMENT 'Symptoms of the last 14 days; empty when none.',
    contact_with_case Nullable(Bool) COMMENT 'Contact with a confirmed or suspected case; null when not answered.',
    from_outbreak_area Nullable(Bool) COMMENT 'Contact with someone from, or travel through, an outbreak area; null when not answered.',
    contact_with_symptomatic Nullable(Bool) COMMENT 'Contact with a symptomatic person; null when not answered.',
    places_visited_count UInt16 COMMENT 'How many places visited were declared.',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer.',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (origin_province_code, destination_province_code, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Domestic movement declarations (canonical.movement-declaration), pseudonymous. Read with FINAL.';
