-- The sink inserts all the ranges of one topic that one flush writes as a single insert (one insert
-- per topic partition made a flush of every kind and partition dozens of inserts, each through its
-- materialized view). The ranges of such an insert share its deduplication token, recorded here so
-- a restart re-forms exactly the same insert. Ranges logged before this column existed have an
-- empty token: each was its own insert, with the token `<topic>:<partition>:<first>-<last>`.
ALTER TABLE sink_batches {{on_cluster}}
    ADD COLUMN IF NOT EXISTS flush_token String DEFAULT '' COMMENT 'Deduplication token of the insert the range was part of (empty: the range alone).';
