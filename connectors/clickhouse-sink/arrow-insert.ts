/**
 * The sink's binary inserts into the embedded engine: a batch's rows registered as Arrow columns
 * (arrow-batch.ts) on a chdb session of the sink's own, on the same data folder as the process's
 * client, and read by one `INSERT … SELECT … FROM arrowstream(…)` carrying the batch's deduplication
 * token in its own SETTINGS clause, so nothing outlives the statement. A batch without an Arrow form
 * is not written here (insert answers false): the caller writes it as JSON.
 *
 * The registration is chdb's `_arrowRegisterColumns`, the hook its own query builder uses for
 * `registerArrowTable` (not in its type declarations, hence the narrow interface below).
 */
import { randomBytes } from 'node:crypto';
import chdb, { Session } from 'chdb';
import { parseEngineError } from '../../services/platform/engine-errors.ts';
import { arrowBatch, quoteIdentifier, type ArrowColumn } from './arrow-batch.ts';

interface ArrowRegistration {
  _arrowRegisterColumns(connection: unknown, name: string, columns: readonly ArrowColumn[]): void;
  _arrowUnregister(connection: unknown, name: string): void;
}

const registration = chdb as unknown as ArrowRegistration;

export interface ArrowInsert {
  table: string;
  columns: readonly string[];
  rows: readonly Readonly<Record<string, unknown>>[];
  /** The insert's deduplication token: the same token again inserts nothing. */
  token: string;
}

/** A ClickHouse error in the shape the sink classifies (`type`: the error's name), as the client's errors have. */
class EngineError extends Error {
  readonly type: string;

  constructor(error: unknown) {
    const info = parseEngineError(error);
    super(info.message);
    this.name = 'ClickHouseError';
    this.type = info.name;
  }
}

function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export class ArrowInserter {
  private readonly session: Session;
  private readonly database: string;
  /** Column types per table, read from system.columns; read again when a row has a column not in it. */
  private readonly types = new Map<string, Map<string, string>>();

  constructor(dataDir: string, database: string) {
    this.session = new Session(dataDir);
    this.database = database;
  }

  private async columnTypes(table: string, fresh: boolean): Promise<Map<string, string>> {
    const known = this.types.get(table);
    if (known && !fresh) return known;
    const result = await this.session.queryBindAsync(
      'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String}',
      { database: this.database, table },
      { format: 'JSONEachRow' },
    );
    const types = new Map<string, string>();
    for (const line of result.text().split('\n')) {
      if (line === '') continue;
      const { name, type } = JSON.parse(line) as { name: string; type: string };
      types.set(name, type);
    }
    this.types.set(table, types);
    return types;
  }

  /** Inserts the rows in Arrow form and returns true, or returns false when they have none. */
  async insert({ table, columns, rows, token }: ArrowInsert): Promise<boolean> {
    let types = await this.columnTypes(table, false);
    // A column added since (schema evolution) is learnt once.
    if (columns.some((column) => !types.has(column))) types = await this.columnTypes(table, true);
    const batch = arrowBatch(columns, types, rows);
    if (!batch) return false;
    const name = `truc_sink_${randomBytes(8).toString('hex')}`;
    const sql =
      `INSERT INTO ${quoteIdentifier(this.database)}.${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) ` +
      `SETTINGS insert_deduplication_token = ${stringLiteral(token)}, insert_deduplicate = 1, deduplicate_blocks_in_dependent_materialized_views = 1 ` +
      `SELECT ${batch.select.join(', ')} FROM arrowstream(${stringLiteral(name)})`;
    registration._arrowRegisterColumns(this.session.connection, name, batch.columns);
    try {
      await this.session.queryAsync(sql, { format: 'TSV' });
    } catch (error) {
      throw new EngineError(error);
    } finally {
      registration._arrowUnregister(this.session.connection, name);
    }
    return true;
  }

  close(): void {
    this.session.close();
  }
}
