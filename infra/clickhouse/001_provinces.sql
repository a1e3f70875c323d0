-- The province dimension: the 63 province-level units of 2021 (GSO codes), loaded by the migration
-- runner from schemas/reference/provinces-2021.json after the files are applied.
CREATE TABLE IF NOT EXISTS provinces {{on_cluster}}
(
    code LowCardinality(String) COMMENT '2-digit GSO province code, e.g. 01 (Hà Nội), 79 (TP Hồ Chí Minh).',
    name String COMMENT 'Province name with Vietnamese diacritics.',
    type LowCardinality(String) COMMENT 'province or centrally-run city.'
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY code
COMMENT 'Province dimension (GSO 2021): join any province_code column to code for the name.';
