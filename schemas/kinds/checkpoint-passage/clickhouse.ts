/**
 * The ClickHouse table of checkpoint-passage records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/ holds the table's migration; the ClickHouse sink loads this file for
 * every kind of the catalogue).
 */
import { code, envelope, type KindShape, known, nullable, required } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'checkpoint_passages',
  knownFields: known(
    'checkpoint_id', 'checkpoint_name', 'checkpoint_type', 'checkpoint_province_code', 'document', 'vehicle_plate',
    'direction', 'passed_at', 'identification_method', 'health_status', 'outcome',
  ),
  row(view) {
    return {
      ...envelope(view),
      checkpoint_id: required(view, 'checkpoint_id', 'string'),
      checkpoint_name: nullable(view.checkpoint_name),
      checkpoint_type: nullable(view.checkpoint_type),
      checkpoint_province_code: code(view.checkpoint_province_code),
      direction: code(view.direction),
      passed_at: required(view, 'passed_at', 'number'),
      identification_method: required(view, 'identification_method', 'string'),
      health_status: required(view, 'health_status', 'string'),
      outcome: code(view.outcome),
    };
  },
};
