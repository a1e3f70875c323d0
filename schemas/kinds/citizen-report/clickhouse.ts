/**
 * The ClickHouse table of citizen-report records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/ holds the table's migration; the ClickHouse sink loads this file for
 * every kind of the catalogue).
 */
import { code, envelope, type KindShape, known, object, required } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'citizen_reports',
  knownFields: known('report_id', 'category', 'text', 'location', 'channel', 'reporter', 'anonymous'),
  row(view) {
    const location = object(view, 'location');
    return {
      ...envelope(view),
      district_code: code(location.district_code),
      ward_code: code(location.ward_code),
      report_id: required(view, 'report_id', 'string'),
      category: required(view, 'category', 'string'),
      channel: required(view, 'channel', 'string'),
      anonymous: view.anonymous === true,
    };
  },
};
