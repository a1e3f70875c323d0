import { describe, expect, it } from 'vitest';
import { readMigrationFiles, renderMigration, splitStatements } from '../../services/clickhouse/migrations.ts';

describe('ClickHouse migration files', () => {
  it('are numbered without gaps or repeats, and every statement is idempotent', () => {
    const files = readMigrationFiles();
    expect(files.map((file) => file.version)).toEqual(files.map((_, i) => i + 1));
    for (const file of files) {
      for (const statement of splitStatements(file.sql)) expect(statement, file.name).toMatch(/^(CREATE (TABLE|MATERIALIZED VIEW|VIEW) IF NOT EXISTS |ALTER TABLE \w+ \{\{on_cluster\}\}\s+ADD COLUMN IF NOT EXISTS )/);
      expect(file.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('expand to plain engines on one server and to replicated engines ON CLUSTER', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS t {{on_cluster}} (a UInt8) ENGINE = {{engine:ReplacingMergeTree(v)}} ORDER BY a;\nCREATE TABLE IF NOT EXISTS s {{on_cluster}} (a UInt8) ENGINE = {{engine:SummingMergeTree}} ORDER BY a;';
    expect(splitStatements(renderMigration(sql, null))).toEqual([
      'CREATE TABLE IF NOT EXISTS t  (a UInt8) ENGINE = ReplacingMergeTree(v) ORDER BY a',
      'CREATE TABLE IF NOT EXISTS s  (a UInt8) ENGINE = SummingMergeTree ORDER BY a',
    ]);
    expect(splitStatements(renderMigration(sql, 'analytics'))).toEqual([
      "CREATE TABLE IF NOT EXISTS t ON CLUSTER analytics (a UInt8) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', v) ORDER BY a",
      "CREATE TABLE IF NOT EXISTS s ON CLUSTER analytics (a UInt8) ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY a",
    ]);
  });

  it('leave no placeholder unexpanded in the real files', () => {
    for (const file of readMigrationFiles()) {
      expect(renderMigration(file.sql, null), file.name).not.toContain('{{');
      expect(renderMigration(file.sql, 'c'), file.name).not.toContain('{{');
    }
  });

  it('split statements at a semicolon ending a line, skipping comment lines', () => {
    expect(splitStatements("-- a comment; with a semicolon\nSELECT 'a;b';\n\nSELECT 2;")).toEqual(["SELECT 'a;b'", 'SELECT 2']);
  });
});
