-- Test results, pseudonymous tier: no name, document or phone of the tested person (the
-- pseudonymous view of canonical.test-result decides; schemas/kinds/test-result/clickhouse.ts).
CREATE TABLE IF NOT EXISTS test_results {{on_cluster}}
(
    event_id UUID COMMENT 'Canonical event id: one row per result.',
    source LowCardinality(String) COMMENT 'Source system: lis, pccovid.',
    occurred_at DateTime64(3, 'UTC') COMMENT 'When the specimen was taken (UTC); equal to sampled_at.',
    received_at DateTime64(3, 'UTC') COMMENT 'When Truc accepted the source record (UTC).',
    normalized_at DateTime64(3, 'UTC') COMMENT 'When the normalizer produced the canonical record (UTC); the row version.',
    province_code LowCardinality(String) COMMENT 'Province of the testing laboratory (2-digit GSO code); empty when unknown.',
    person_key Nullable(String) COMMENT 'Pseudonymous person key; null when the person could not be identified.',
    birth_year Nullable(UInt16) COMMENT 'Birth year of the tested person.',
    gender LowCardinality(Nullable(String)) COMMENT 'MALE, FEMALE, OTHER or null.',
    specimen_type LowCardinality(String) COMMENT 'NASOPHARYNGEAL_SWAB, OROPHARYNGEAL_SWAB, SALIVA, BLOOD or OTHER.',
    test_type LowCardinality(String) COMMENT 'PCR, RAPID_ANTIGEN or ANTIBODY.',
    loinc_code LowCardinality(String) COMMENT 'LOINC code of the test.',
    result LowCardinality(String) COMMENT 'POSITIVE, NEGATIVE or INCONCLUSIVE.',
    ct_value Nullable(Float64) COMMENT 'PCR cycle threshold; null for other tests or when not given.',
    lab_id LowCardinality(String) COMMENT 'Laboratory or facility code.',
    laboratory Nullable(String) COMMENT 'Laboratory name (a facility, not a person).',
    sampled_at DateTime64(3, 'UTC') COMMENT 'When the specimen was taken (UTC).',
    reported_at DateTime64(3, 'UTC') COMMENT 'When the result was issued (UTC).',
    quality_flags Array(LowCardinality(String)) COMMENT 'Data-quality findings kept by the normalizer.',
    CONSTRAINT province_code_is_gso CHECK match(province_code, '^([0-9]{2})?$')
)
ENGINE = {{engine:ReplacingMergeTree(normalized_at)}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (province_code, test_type, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'SARS-CoV-2 test results (canonical.test-result), pseudonymous. Read with FINAL.';

-- Counts per local day of sampling, laboratory province and test type; test_positivity_daily
-- below turns them into the ratio (a ratio is not summable, so the counts are what is stored).
CREATE TABLE IF NOT EXISTS test_results_daily {{on_cluster}}
(
    day Date COMMENT 'Local (UTC+7) day the specimen was taken.',
    province_code LowCardinality(String) COMMENT 'Province of the laboratory (2-digit GSO code); empty when unknown.',
    test_type LowCardinality(String) COMMENT 'PCR, RAPID_ANTIGEN or ANTIBODY.',
    tests UInt64 COMMENT 'Results.',
    positives UInt64 COMMENT 'POSITIVE results.',
    inconclusive UInt64 COMMENT 'INCONCLUSIVE results (left out of the positivity ratio).'
)
ENGINE = {{engine:SummingMergeTree}}
ORDER BY (day, province_code, test_type)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Test results per local day, laboratory province and test type: positivity = positives / (tests - inconclusive).';

CREATE MATERIALIZED VIEW IF NOT EXISTS test_results_daily_mv {{on_cluster}} TO test_results_daily AS
SELECT
    toDate(sampled_at, 'Asia/Ho_Chi_Minh') AS day,
    province_code,
    test_type,
    count() AS tests,
    countIf(result = 'POSITIVE') AS positives,
    countIf(result = 'INCONCLUSIVE') AS inconclusive
FROM test_results
GROUP BY day, province_code, test_type;

-- Daily positivity: positive results over conclusive ones, per local day, laboratory province and
-- test type. Sum again over its columns for wider groups (never average the ratio).
CREATE VIEW IF NOT EXISTS test_positivity_daily {{on_cluster}} AS
SELECT
    day,
    province_code,
    test_type,
    sum(tests) AS results,
    sum(positives) AS positive_results,
    sum(inconclusive) AS inconclusive_results,
    round(positive_results / nullIf(results - inconclusive_results, 0), 4) AS positivity
FROM test_results_daily
GROUP BY day, province_code, test_type;
