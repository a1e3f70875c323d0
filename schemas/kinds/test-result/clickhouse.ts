/**
 * The ClickHouse table of test-result records and how a row is shaped from a record's pseudonymous
 * view (infra/clickhouse/010_test_results.sql holds the table). The view has already left out the
 * person's name, document and phone (direct identifiers), so the row reads only what stays.
 */
import { envelope, known, nullable, object, required, type KindShape } from '../../../services/platform/row-shape.ts';

export const CLICKHOUSE: KindShape = {
  table: 'test_results',
  knownFields: known('person', 'specimen', 'test_type', 'loinc_code', 'result', 'ct_value', 'lab', 'sampled_at', 'reported_at'),
  row(view) {
    const person = object(view, 'person');
    const specimen = object(view, 'specimen');
    const lab = object(view, 'lab');
    return {
      ...envelope(view),
      birth_year: nullable(person.birth_year),
      gender: nullable(person.gender),
      specimen_type: required(specimen, 'type', 'string'),
      test_type: required(view, 'test_type', 'string'),
      loinc_code: required(view, 'loinc_code', 'string'),
      result: required(view, 'result', 'string'),
      ct_value: nullable(view.ct_value),
      lab_id: required(lab, 'id', 'string'),
      laboratory: nullable(lab.name),
      sampled_at: required(view, 'sampled_at', 'number'),
      reported_at: required(view, 'reported_at', 'number'),
    };
  },
};
