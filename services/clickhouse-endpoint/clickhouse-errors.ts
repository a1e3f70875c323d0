/**
 * ClickHouse's error shape, so tools reading the endpoint see what a server would send: the text
 * `Code: <n>. DB::Exception: <message>. (<NAME>) (version <v>)`, the `X-ClickHouse-Exception-Code`
 * header and an HTTP status chosen from the error name as the server does (syntax and argument
 * errors 400, unknown tables/databases/functions/formats 404, a timeout 408; authentication
 * failures 403, a missing password 401). One deliberate difference: READONLY answers 403, where
 * current servers answer 500 (they did answer 403 before 2021); a refused write is the caller's
 * doing, not a server fault.
 */
import { UNKNOWN_EXCEPTION_CODE, type ClickHouseErrorInfo } from '../platform/engine-errors.ts';

export { parseEngineError, type ClickHouseErrorInfo } from '../platform/engine-errors.ts';

/** The error codes the endpoint raises itself (the engine's own errors carry theirs). */
export const ERROR_CODES = {
  SYNTAX_ERROR: 62,
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  UNKNOWN_DATABASE: 81,
  READONLY: 164,
  TOO_MANY_ROWS_OR_BYTES: 396,
  ACCESS_DENIED: 497,
  REQUIRED_PASSWORD: 194,
  AUTHENTICATION_FAILED: 516,
  UNKNOWN_EXCEPTION: UNKNOWN_EXCEPTION_CODE,
} as const;

const STATUS_BY_NAME = new Map<string, number>([
  ['REQUIRED_PASSWORD', 401],
  ...['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED', 'READONLY'].map(
    (name) => [name, 403] as [string, number],
  ),
  ...[
    'BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE', 'CANNOT_PARSE_QUOTED_STRING',
    'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER', 'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4',
    'CANNOT_PARSE_IPV6', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
    'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  ].map((name) => [name, 400] as [string, number]),
  ...[
    'UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE', 'UNKNOWN_DATABASE',
    'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION', 'UNKNOWN_FORMAT',
    'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE',
  ].map((name) => [name, 404] as [string, number]),
  ['QUERY_IS_TOO_LARGE', 413],
  ['NOT_IMPLEMENTED', 501],
  ['SOCKET_TIMEOUT', 503],
  ['CANNOT_OPEN_FILE', 503],
  ['CANNOT_SCHEDULE_TASK', 503],
  ['HTTP_LENGTH_REQUIRED', 411],
  ['TIMEOUT_EXCEEDED', 408],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
]);

export function httpStatusFor(name: string): number {
  return STATUS_BY_NAME.get(name) ?? 500;
}

/** An error the endpoint answers with, in ClickHouse's terms. */
export class ClickHouseHttpError extends Error {
  readonly code: number;
  readonly type: string;
  constructor(code: number, type: string, message: string) {
    super(message);
    this.name = 'ClickHouseHttpError';
    this.code = code;
    this.type = type;
  }
}

export function endpointError(type: keyof typeof ERROR_CODES, message: string): ClickHouseHttpError {
  return new ClickHouseHttpError(ERROR_CODES[type], type, message);
}

export function formatErrorText(info: ClickHouseErrorInfo, version: string): string {
  return `Code: ${info.code}. DB::Exception: ${info.message}. (${info.name}) (version ${version})\n`;
}
