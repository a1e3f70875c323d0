/**
 * What one HTTP request to the endpoint asks for, read the way ClickHouse's HTTP interface reads it:
 * URL parameters (`database`, `default_format`, `query_id`, `param_<name>`, settings) and the
 * `X-ClickHouse-*` headers. Parameters that only steer the HTTP layer are honoured or ignored here;
 * a setting is accepted only from a short list of harmless ones (output shape, narrower limits);
 * any other setting, and any `readonly` but 1, is refused the way a server refuses a readonly user.
 */
import { ClickHouseHttpError, endpointError } from './clickhouse-errors.ts';
import { ALLOWED_SETTINGS, IDENTIFIER, SETTING_VALUE } from './readonly-engine.ts';

export interface RequestOptions {
  database: string | null;
  defaultFormat: string;
  settings: Record<string, string>;
  params: Record<string, string>;
  /** `enable_http_compression=1`: the response may be compressed as Accept-Encoding allows. */
  compressResponse: boolean;
  nativeBlocks: NativeBlockOptions;
}

/** ClickHouse's own block compression of bodies (see native-compression.ts). */
export interface NativeBlockOptions {
  /** `compress=1`: the result is sent as compressed blocks. */
  compressResponse: boolean;
  /** `decompress=1`: the request body is compressed blocks. */
  decompressRequest: boolean;
  /** False with `http_native_compression_disable_checksumming_on_decompress=1`. */
  verifyChecksums: boolean;
}

/** Parameters of the HTTP layer, not settings: either honoured below or harmless to ignore. */
const HTTP_PARAMETERS = new Set([
  'query', 'database', 'default_format', 'query_id', 'user', 'password', 'quota_key', 'role',
  'session_id', 'session_timeout', 'session_check', 'stacktrace',
  'wait_end_of_query', 'http_wait_end_of_query', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms', 'http_response_buffer_size', 'buffer_size', 'enable_http_compression',
  'http_zlib_compression_level', 'http_native_compression_disable_checksumming_on_decompress', 'add_http_cors_header',
  'cancel_http_readonly_queries_on_client_close', 'http_response_compression_method', 'compress', 'decompress', 'readonly',
]);

function readonlyRefusal(name: string): ClickHouseHttpError {
  return endpointError('READONLY', `Cannot modify '${name}' setting in readonly mode`);
}

export function readRequestOptions(search: URLSearchParams, headers: Record<string, string | string[] | undefined>): RequestOptions {
  const header = (name: string): string | null => {
    const value = headers[name];
    return typeof value === 'string' ? value : null;
  };
  const database = search.get('database') ?? header('x-clickhouse-database');
  if (database !== null && !IDENTIFIER.test(database)) {
    throw endpointError('UNKNOWN_DATABASE', `Database ${JSON.stringify(database.slice(0, 100))} is not a plain identifier`);
  }
  const defaultFormat = search.get('default_format') ?? header('x-clickhouse-format') ?? 'TabSeparated';
  if (!IDENTIFIER.test(defaultFormat)) throw endpointError('BAD_ARGUMENTS', `Invalid format name ${JSON.stringify(defaultFormat.slice(0, 100))}`);
  const readonly = search.get('readonly');
  if (readonly !== null && readonly !== '1') throw readonlyRefusal('readonly');

  const settings: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const [name, value] of search) {
    if (name.startsWith('param_')) {
      params[name.slice('param_'.length)] = value;
      continue;
    }
    if (HTTP_PARAMETERS.has(name)) continue;
    if (!ALLOWED_SETTINGS.has(name)) throw readonlyRefusal(name.slice(0, 100));
    if (!SETTING_VALUE.test(value)) throw endpointError('BAD_ARGUMENTS', `Invalid value for setting '${name}'`);
    settings[name] = value;
  }
  return {
    database,
    defaultFormat,
    settings,
    params,
    compressResponse: search.get('enable_http_compression') === '1',
    nativeBlocks: {
      compressResponse: search.get('compress') === '1',
      decompressRequest: search.get('decompress') === '1',
      verifyChecksums: search.get('http_native_compression_disable_checksumming_on_decompress') !== '1',
    },
  };
}

/** Basic auth, X-ClickHouse-User/-Key, or `user`/`password` parameters; null when none is given. */
export function readCredentials(
  search: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): { user: string; password: string } | null {
  const headerUser = headers['x-clickhouse-user'];
  if (typeof headerUser === 'string') {
    const key = headers['x-clickhouse-key'];
    return { user: headerUser, password: typeof key === 'string' ? key : '' };
  }
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = search.get('user');
  if (user !== null) return { user, password: search.get('password') ?? '' };
  return null;
}

/** The Content-Type a server gives each output format. */
export function contentTypeFor(format: string): string {
  const name = format.toLowerCase();
  if (name.startsWith('tabseparated') || name.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (name.startsWith('csv')) return `text/csv; charset=UTF-8; header=${name.includes('withnames') ? 'present' : 'absent'}`;
  if (name.startsWith('json') || name.startsWith('ndjson')) return 'application/json; charset=UTF-8';
  if (name === 'xml') return 'application/xml; charset=UTF-8';
  if (name.startsWith('pretty') || ['vertical', 'markdown', 'values', 'null', 'template', 'rawblob', 'linesasstring', 'prometheus'].includes(name)) {
    return 'text/plain; charset=UTF-8';
  }
  return 'application/octet-stream';
}
