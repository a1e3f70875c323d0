/**
 * The ClickHouse table of movement-declaration records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/ holds the table's migration; the ClickHouse sink loads this file for
 * every kind of the catalogue).
 */
import { code, envelope, exposure, type KindShape, known, nullable, object, personFacts, required, strings } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'movement_declarations',
  knownFields: known('person', 'transport_mode', 'vehicle_code', 'seat', 'origin', 'destination', 'departure_date', 'symptoms', 'exposure'),
  row(view, countWithheld) {
    const mode = required(view, 'transport_mode', 'string');
    const origin = object(view, 'origin');
    const destination = object(view, 'destination');
    return {
      ...envelope(view),
      ...personFacts(view),
      transport_mode: mode,
      // Null for a PERSONAL journey: the view leaves a private vehicle's plate out.
      vehicle_code: nullable(view.vehicle_code),
      origin_province_code: code(origin.province_code),
      origin_place: nullable(origin.name),
      destination_province_code: code(destination.province_code),
      destination_place: nullable(destination.name),
      departure_date: required(view, 'departure_date', 'number'),
      symptoms: strings(view.symptoms),
      ...exposure(view, countWithheld),
    };
  },
};
