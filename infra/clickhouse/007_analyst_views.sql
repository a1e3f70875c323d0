-- Analysts' aggregates, kept up to date by materialized views on every insert into the base tables.
-- Days are local (Asia/Ho_Chi_Minh, UTC+7) calendar days; hours are UTC. Sum the counters with
-- GROUP BY (or read with FINAL): parts are summed in the background, not at insert time.
-- Caveat: a view counts rows as they are inserted. The sink never inserts a batch twice (insert
-- deduplication tokens, replayed with the same boundaries after a crash), but a canonical record
-- written to Kafka twice at different offsets is collapsed in the base table (ReplacingMergeTree,
-- FINAL) and counted twice here. See README.md.

CREATE TABLE IF NOT EXISTS declarations_daily {{on_cluster}}
(
    day Date COMMENT 'Local (UTC+7) day of the declaration.',
    province_code LowCardinality(String) COMMENT 'Province of residence (2-digit GSO code); empty when unknown.',
    declaration_type LowCardinality(String) COMMENT 'DOMESTIC, ENTRY or WHOLE_POPULATION.',
    declarations UInt64 COMMENT 'Health declarations.',
    symptomatic UInt64 COMMENT 'Declarations reporting at least one symptom.',
    symptom_fever UInt64 COMMENT 'Declarations reporting FEVER.',
    symptom_cough UInt64 COMMENT 'Declarations reporting COUGH.',
    symptom_shortness_of_breath UInt64 COMMENT 'Declarations reporting SHORTNESS_OF_BREATH.',
    symptom_sore_throat UInt64 COMMENT 'Declarations reporting SORE_THROAT.',
    symptom_loss_of_taste_or_smell UInt64 COMMENT 'Declarations reporting LOSS_OF_TASTE_OR_SMELL.',
    symptom_fatigue UInt64 COMMENT 'Declarations reporting FATIGUE.',
    symptom_muscle_pain UInt64 COMMENT 'Declarations reporting MUSCLE_PAIN.',
    symptom_headache UInt64 COMMENT 'Declarations reporting HEADACHE.',
    symptom_nausea_or_vomiting UInt64 COMMENT 'Declarations reporting NAUSEA_OR_VOMITING.',
    symptom_diarrhea UInt64 COMMENT 'Declarations reporting DIARRHEA.',
    symptom_runny_nose UInt64 COMMENT 'Declarations reporting RUNNY_NOSE.',
    symptom_chills UInt64 COMMENT 'Declarations reporting CHILLS.',
    symptom_other UInt64 COMMENT 'Declarations reporting OTHER.',
    contact_with_case_yes UInt64 COMMENT 'Declarations answering yes to contact_with_case.',
    contact_with_case_answered UInt64 COMMENT 'Declarations answering contact_with_case at all (yes or no).',
    from_outbreak_area_yes UInt64 COMMENT 'Declarations answering yes to from_outbreak_area.',
    from_outbreak_area_answered UInt64 COMMENT 'Declarations answering from_outbreak_area at all (yes or no).',
    contact_with_symptomatic_yes UInt64 COMMENT 'Declarations answering yes to contact_with_symptomatic.',
    contact_with_symptomatic_answered UInt64 COMMENT 'Declarations answering contact_with_symptomatic at all (yes or no).',
)
ENGINE = {{engine:SummingMergeTree}}
ORDER BY (day, province_code, declaration_type)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Health declarations per local day, province and type, with symptom and exposure-answer counts.';

CREATE MATERIALIZED VIEW IF NOT EXISTS declarations_daily_mv {{on_cluster}} TO declarations_daily AS
SELECT
    toDate(occurred_at, 'Asia/Ho_Chi_Minh') AS day,
    province_code,
    declaration_type,
    count() AS declarations,
    countIf(notEmpty(symptoms)) AS symptomatic,
    countIf(has(symptoms, 'FEVER')) AS symptom_fever,
    countIf(has(symptoms, 'COUGH')) AS symptom_cough,
    countIf(has(symptoms, 'SHORTNESS_OF_BREATH')) AS symptom_shortness_of_breath,
    countIf(has(symptoms, 'SORE_THROAT')) AS symptom_sore_throat,
    countIf(has(symptoms, 'LOSS_OF_TASTE_OR_SMELL')) AS symptom_loss_of_taste_or_smell,
    countIf(has(symptoms, 'FATIGUE')) AS symptom_fatigue,
    countIf(has(symptoms, 'MUSCLE_PAIN')) AS symptom_muscle_pain,
    countIf(has(symptoms, 'HEADACHE')) AS symptom_headache,
    countIf(has(symptoms, 'NAUSEA_OR_VOMITING')) AS symptom_nausea_or_vomiting,
    countIf(has(symptoms, 'DIARRHEA')) AS symptom_diarrhea,
    countIf(has(symptoms, 'RUNNY_NOSE')) AS symptom_runny_nose,
    countIf(has(symptoms, 'CHILLS')) AS symptom_chills,
    countIf(has(symptoms, 'OTHER')) AS symptom_other,
    countIf(contact_with_case = true) AS contact_with_case_yes,
    countIf(contact_with_case IS NOT NULL) AS contact_with_case_answered,
    countIf(from_outbreak_area = true) AS from_outbreak_area_yes,
    countIf(from_outbreak_area IS NOT NULL) AS from_outbreak_area_answered,
    countIf(contact_with_symptomatic = true) AS contact_with_symptomatic_yes,
    countIf(contact_with_symptomatic IS NOT NULL) AS contact_with_symptomatic_answered
FROM health_declarations
GROUP BY day, province_code, declaration_type;

CREATE TABLE IF NOT EXISTS movements_daily {{on_cluster}}
(
    day Date32 COMMENT 'Local (UTC+7) departure date.',
    origin_province_code LowCardinality(String) COMMENT 'Origin province; empty when unknown.',
    destination_province_code LowCardinality(String) COMMENT 'Destination province; empty when unknown.',
    transport_mode LowCardinality(String) COMMENT 'AIR, RAIL, COACH, WATERWAY or PERSONAL.',
    travellers UInt64 COMMENT 'Movement declarations (one per traveller and journey).',
    symptomatic UInt64 COMMENT 'Travellers reporting at least one symptom.',
    from_outbreak_area_yes UInt64 COMMENT 'Travellers answering yes to from_outbreak_area.'
)
ENGINE = {{engine:SummingMergeTree}}
ORDER BY (day, origin_province_code, destination_province_code, transport_mode)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Domestic journeys per departure day, origin province, destination province and transport mode.';

CREATE MATERIALIZED VIEW IF NOT EXISTS movements_daily_mv {{on_cluster}} TO movements_daily AS
SELECT
    departure_date AS day,
    origin_province_code,
    destination_province_code,
    transport_mode,
    count() AS travellers,
    countIf(notEmpty(symptoms)) AS symptomatic,
    countIf(from_outbreak_area = true) AS from_outbreak_area_yes
FROM movement_declarations
GROUP BY day, origin_province_code, destination_province_code, transport_mode;

CREATE TABLE IF NOT EXISTS passages_hourly {{on_cluster}}
(
    hour DateTime('UTC') COMMENT 'Hour (UTC) of the passage.',
    checkpoint_id String COMMENT 'Checkpoint key.',
    province_code LowCardinality(String) COMMENT 'Province of the checkpoint; empty when unknown.',
    direction LowCardinality(String) COMMENT 'IN, OUT, or empty when not recorded.',
    outcome LowCardinality(String) COMMENT 'ALLOWED, TURNED_BACK, SENT_TO_TESTING, SENT_TO_QUARANTINE, or empty.',
    passages UInt64 COMMENT 'Passages.',
    status_red UInt64 COMMENT 'Passages showing a RED health status.',
    status_yellow UInt64 COMMENT 'Passages showing a YELLOW health status.'
)
ENGINE = {{engine:SummingMergeTree}}
ORDER BY (hour, checkpoint_id, province_code, direction, outcome)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Checkpoint passages per hour, checkpoint, direction and outcome.';

CREATE MATERIALIZED VIEW IF NOT EXISTS passages_hourly_mv {{on_cluster}} TO passages_hourly AS
SELECT
    toStartOfHour(toDateTime(passed_at, 'UTC')) AS hour,
    checkpoint_id,
    province_code,
    direction,
    outcome,
    count() AS passages,
    countIf(health_status = 'RED') AS status_red,
    countIf(health_status = 'YELLOW') AS status_yellow
FROM checkpoint_passages
GROUP BY hour, checkpoint_id, province_code, direction, outcome;

CREATE TABLE IF NOT EXISTS citizen_reports_daily {{on_cluster}}
(
    day Date COMMENT 'Local (UTC+7) day the report was received.',
    category LowCardinality(String) COMMENT 'Report category.',
    province_code LowCardinality(String) COMMENT 'Province the report is about; empty when unknown.',
    reports UInt64 COMMENT 'Citizen reports.',
    anonymous_reports UInt64 COMMENT 'Reports filed anonymously.'
)
ENGINE = {{engine:SummingMergeTree}}
ORDER BY (day, category, province_code)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'Citizen reports per local day, category and province.';

CREATE MATERIALIZED VIEW IF NOT EXISTS citizen_reports_daily_mv {{on_cluster}} TO citizen_reports_daily AS
SELECT
    toDate(occurred_at, 'Asia/Ho_Chi_Minh') AS day,
    category,
    province_code,
    count() AS reports,
    countIf(anonymous) AS anonymous_reports
FROM citizen_reports
GROUP BY day, category, province_code;
