/**
 * The ClickHouse table of health-declaration records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/ holds the table's migration; the ClickHouse sink loads this file for
 * every kind of the catalogue).
 */
import { code, envelope, exposure, type KindShape, known, nullable, object, personFacts, required, strings } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'health_declarations',
  knownFields: known('declaration_type', 'person', 'address', 'symptoms', 'exposure', 'vaccination'),
  row(view, countWithheld) {
    const address = object(view, 'address');
    const vaccination = object(view, 'vaccination');
    return {
      ...envelope(view),
      district_code: code(address.district_code),
      ward_code: code(address.ward_code),
      declaration_type: required(view, 'declaration_type', 'string'),
      ...personFacts(view),
      symptoms: strings(view.symptoms),
      ...exposure(view, countWithheld),
      vaccine_doses: typeof vaccination.doses === 'number' ? vaccination.doses : 0,
      last_dose_date: nullable(vaccination.last_dose_date),
    };
  },
};
