/**
 * The ClickHouse table of checkpoint records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/ holds the table's migration; the ClickHouse sink loads this file for
 * every kind of the catalogue).
 */
import { code, envelope, type KindShape, known, nullable, optionalObject, required } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'checkpoints',
  knownFields: known(
    'checkpoint_id', 'name', 'type', 'district_code', 'road', 'km_marker', 'managing_level', 'managing_agency',
    'status', 'coordinates', 'location_qr_id', 'valid_from', 'valid_to',
  ),
  row(view) {
    const coordinates = optionalObject(view, 'coordinates');
    const { person_key: _none, ...rest } = envelope(view);
    return {
      ...rest,
      checkpoint_id: required(view, 'checkpoint_id', 'string'),
      name: required(view, 'name', 'string'),
      type: required(view, 'type', 'string'),
      district_code: code(view.district_code),
      road: nullable(view.road),
      km_marker: nullable(view.km_marker),
      managing_level: nullable(view.managing_level),
      managing_agency: nullable(view.managing_agency),
      status: required(view, 'status', 'string'),
      latitude: coordinates ? nullable(coordinates.latitude) : null,
      longitude: coordinates ? nullable(coordinates.longitude) : null,
      location_qr_id: nullable(view.location_qr_id),
      valid_from: nullable(view.valid_from),
      valid_to: nullable(view.valid_to),
    };
  },
};
