/**
 * Which ClickHouse failures are about the data (the rows of an insert) and which about ClickHouse
 * itself. A data error is not cured by waiting: the sink isolates the rows it is about and sends
 * them to the dead-letter topic. Anything else (unreachable, overloaded, too many parts, disk full)
 * is retried with back-off until it passes, and nothing moves on meanwhile.
 */
const DATA_ERROR_TYPES = new Set([
  'TYPE_MISMATCH',
  'INCORRECT_DATA',
  'VIOLATED_CONSTRAINT',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'UNKNOWN_ELEMENT_OF_ENUM',
  'CANNOT_CONVERT_TYPE',
  'TOO_LARGE_STRING_SIZE',
  'SIZES_OF_ARRAYS_DONT_MATCH',
  'INCORRECT_NUMBER_OF_COLUMNS',
  'ARGUMENT_OUT_OF_BOUND',
  'DECIMAL_OVERFLOW',
  'ILLEGAL_COLUMN',
  'CANNOT_PARSE_UUID',
]);

/** The ClickHouse error name (e.g. VIOLATED_CONSTRAINT) when the error came from ClickHouse. */
export function clickhouseErrorType(error: unknown): string | null {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && /^[A-Z_0-9]+$/.test(type) ? type : null;
}

export function isDataError(error: unknown): boolean {
  const type = clickhouseErrorType(error);
  return type !== null && (DATA_ERROR_TYPES.has(type) || type.startsWith('CANNOT_PARSE_') || type.startsWith('CANNOT_READ_'));
}
