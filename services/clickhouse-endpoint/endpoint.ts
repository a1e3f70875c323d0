/**
 * The analysts' read-only ClickHouse-HTTP endpoint (issue 5, item 5). The embedded engine admits one
 * process per data folder, so the process that owns it serves this endpoint and `curl`,
 * `@clickhouse/client` and other HTTP ClickHouse tools reach the embedded data as they would a
 * server: `GET|POST /` with the query in the `query` parameter and/or the body (joined by a newline,
 * as ClickHouse joins them), `FORMAT` or `default_format` (TabSeparated by default), `database`,
 * `param_<name>` placeholders, HTTP compression, `/ping`, the `X-ClickHouse-*` response headers and
 * ClickHouse's error text and status. Every query is checked against the analysts' policy on the
 * engine's own parse and runs read-only (see readonly-engine.ts, analyst-query-policy.ts).
 *
 * Analysts log in with their own accounts (analyst-credentials.ts); failed logins are throttled per
 * name and address (login-throttle.ts); analysts share the query slots fairly (fair-slots.ts). Every
 * query, allowed or refused, goes to the operators' query log (query-log.ts) and to the disclosure
 * audit (an answer is sent only after its audit entry is written). The general log names
 * the query id, statement keyword, outcome, rows and time — never the query text, whose literals may
 * carry personal data, nor any credential.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditLog, actionRecord } from '../platform/audit-log.ts';
import { createAvroSerde } from '../platform/avro-serde.ts';
import type { ClickHouseHandle } from '../platform/clickhouse.ts';
import type { Config } from '../platform/config.ts';
import { createKafka } from '../platform/kafka.ts';
import type { Logger } from '../platform/logger.ts';
import { watchAccessPolicy } from '../platform/access.ts';
import { AnalystAuthenticator, loadAnalystCredentials, type AnalystAccounts } from './analyst-credentials.ts';
import { ClickHouseHttpError, endpointError, formatErrorText, httpStatusFor } from './clickhouse-errors.ts';
import { endpointUrl } from './endpoint-url.ts';
import { UnknownEncodingError, chooseResponseEncoding, decodeRequestBody, encodeResponse } from './http-encoding.ts';
import { compressNativeBlocks, decompressNativeBlocks } from './native-compression.ts';
import { FairSlots } from './fair-slots.ts';
import { LoginThrottle } from './login-throttle.ts';
import { QueryLog } from './query-log.ts';
import { AnalystQueryRefusal, ReadOnlyEngine } from './readonly-engine.ts';
import { contentTypeFor, readCredentials, readRequestOptions, type NativeBlockOptions } from './request-options.ts';

export interface ClickHouseEndpoint {
  /** Base URL, e.g. http://127.0.0.1:8123 */
  url: string;
  close(): Promise<void>;
}

export interface ClickHouseEndpointOptions {
  config: Config;
  logger: Logger;
  /** The pipeline's embedded engine; the endpoint opens sessions of its own on the same folder. */
  clickhouse: ClickHouseHandle;
  /**
   * The analysts' accounts, asked at every login (so a reloaded access file applies at once);
   * default: the "analysts" section of the access file, which the endpoint then follows itself.
   */
  analysts?: AnalystAccounts;
  /**
   * Whether an analyst of the access file is granted the row-level tables; default: as the access
   * file the endpoint follows says (none when `analysts` is handed in without this).
   */
  analystRowLevel?: (analyst: string) => boolean;
}

/** Five free failures, then 1 s, 2 s, 4 s, … up to a minute between attempts for that name or address. */
const LOGIN_THROTTLE = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Largest query text accepted (ClickHouse's default max_query_size is 256 KiB). */
const MAX_QUERY_BYTES = 256 * 1024;

export async function startClickHouseEndpoint({ config, logger, clickhouse, analysts, analystRowLevel }: ClickHouseEndpointOptions): Promise<ClickHouseEndpoint> {
  if (clickhouse.mode !== 'embedded') {
    throw new Error('the analysts\' endpoint serves the embedded engine; with CLICKHOUSE_URL analysts query that server directly');
  }
  const settings = config.clickhouseEndpoint;
  const log = logger.child({ component: 'clickhouse-endpoint' });
  // Without accounts handed in, the endpoint follows the access file itself, as every process does.
  const ownAccess = analysts === undefined ? watchAccessPolicy(config.api.accessFile, log, config.api.accessReloadMs) : null;
  const fileAccounts = analysts ?? (() => ownAccess!.current().analysts());
  // Accounts handed in without grants: none of them is granted.
  const fileRowLevel = analystRowLevel ?? (ownAccess ? (analyst: string) => ownAccess.current().analystRowLevel(analyst) : () => false);
  // Without an "analysts" section the local analyst is the account, granted by configuration.
  const rowLevelOf = (analyst: string): boolean => (fileAccounts() === null ? settings.localRowLevel : fileRowLevel(analyst));
  const authenticator = await AnalystAuthenticator.create(fileAccounts, loadAnalystCredentials(settings, true));
  const throttle = new LoginThrottle(LOGIN_THROTTLE);
  const slots = new FairSlots(settings.sessions, settings.sessionsPerAnalyst);
  const queryLog = await QueryLog.open(settings.queryLogFile, (error) =>
    log.error({ err: { message: error.message } }, 'clickhouse endpoint: cannot write the analysts\' query log'));
  const engine = await ReadOnlyEngine.open(config.clickhouse.dataDir, settings);
  const analystDatabase = clickhouse.database;
  // Every query goes to the disclosure audit; an answer is sent only once its entry is written.
  const audit = await AuditLog.open(createKafka(config.kafka, log, 'clickhouse-endpoint'), createAvroSerde(config.schemaRegistry), config, log);
  const auditQuery = (analyst: string, sql: string, rowsRead: number, refused: boolean) =>
    audit.write([actionRecord({ audit_id: `query/${randomUUID()}`, action: 'analyst_query', at: Date.now(), actor: analyst, statement: sql, rows_read: rowsRead, refused })]);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error({ err: { message: (error as Error).message } }, 'clickhouse endpoint: request failed unexpectedly');
      if (!response.headersSent) {
        sendError(response, endpointError('UNKNOWN_EXCEPTION', 'Internal error of the analysts\' endpoint'), engine.version, null);
      } else {
        response.destroy();
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://endpoint');
    response.setHeader('X-ClickHouse-Server-Display-Name', 'truc-embedded');
    if (url.pathname === '/ping' || url.pathname === '/replicas_status') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
      response.end(`There is no handle ${url.pathname.slice(0, 200)}\n\nUse / or /ping for health checks.\nSend queries with GET /?query=... or POST /.\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'POST' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, POST, HEAD', 'Content-Type': 'text/plain; charset=UTF-8' }).end('Method not allowed.\n');
      return;
    }
    if (request.method !== 'POST' && !url.searchParams.has('query')) {
      // As on a server, a bare GET / is a health check and needs no credentials.
      response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    const queryId = readQueryId(url.searchParams, request);
    response.setHeader('X-ClickHouse-Query-Id', queryId);
    response.setHeader('X-ClickHouse-Timezone', engine.timezone);
    const started = process.hrtime.bigint();
    const address = request.socket.remoteAddress ?? 'unknown';
    let statement = '';
    let analyst: string | null = null;
    let sql = '';
    try {
      analyst = await authenticate(url.searchParams, request, address);
      const options = readRequestOptions(url.searchParams, request.headers);
      // Clients that name no database send `default` (the JDBC driver does): here that is the analysts' one.
      if (options.database !== null && options.database !== analystDatabase && options.database !== 'default') {
        throw endpointError('ACCESS_DENIED', `database ${options.database} is not allowed for analysts (only ${analystDatabase})`);
      }
      const body = request.method === 'POST' ? await readBody(request, options.nativeBlocks) : '';
      const fromParameter = url.searchParams.get('query') ?? '';
      sql = fromParameter !== '' && body !== '' ? `${fromParameter}\n${body}` : fromParameter + body;
      const release = await slots.acquire(analyst);
      let result;
      try {
        result = await engine.query({
          sql,
          database: analystDatabase,
          format: options.defaultFormat,
          settings: options.settings,
          params: options.params,
          rowLevel: rowLevelOf(analyst),
        });
      } finally {
        release();
      }
      statement = result.statement;
      const summary = {
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        written_rows: '0',
        written_bytes: '0',
        total_rows_to_read: String(result.rowsRead),
        // The engine reports rows read, not rows returned, so result_rows is left out.
        result_bytes: String(result.body.length),
        elapsed_ns: String(Math.round(result.elapsedSeconds * 1e9)),
      };
      try {
        await auditQuery(analyst, sql, result.rowsRead, false);
      } catch (error) {
        log.error({ queryId, err: { message: (error as Error).message } }, 'clickhouse endpoint: cannot write the query to the disclosure audit; answer withheld');
        throw endpointError('UNKNOWN_EXCEPTION', 'the disclosure audit cannot be written now (Kafka unreachable); the answer is withheld, try again later');
      }
      const encoding = options.compressResponse ? chooseResponseEncoding(request.headers['accept-encoding']) : null;
      const blocks = options.nativeBlocks.compressResponse ? await compressNativeBlocks(result.body) : result.body;
      const payload = encoding === null ? blocks : await encodeResponse(encoding, blocks);
      response.writeHead(200, {
        'Content-Type': contentTypeFor(result.format),
        'X-ClickHouse-Format': result.format,
        'X-ClickHouse-Summary': JSON.stringify(summary),
        'Content-Length': String(payload.length),
        ...(encoding === null ? {} : { 'Content-Encoding': encoding, Vary: 'Accept-Encoding' }),
      });
      response.end(request.method === 'HEAD' ? undefined : payload);
      const ms = elapsedMs(started);
      queryLog.write({
        time: new Date().toISOString(), analyst, address, queryId, statement, query: sql, refused: false,
        rowsRead: result.rowsRead, bytesRead: result.bytesRead, resultBytes: result.body.length, ms,
      });
      // Debug level: a busy analyst would otherwise fill the pipeline's console.
      log.debug({ queryId, statement, rowsRead: result.rowsRead, bytes: result.body.length, ms, checkMs: Math.round(result.checkMs * 100) / 100 }, 'clickhouse endpoint: query answered');
    } catch (error) {
      const failure =
        error instanceof ClickHouseHttpError ? error : endpointError('UNKNOWN_EXCEPTION', (error as Error).message);
      if (failure instanceof AnalystQueryRefusal) statement = failure.statement;
      sendError(response, failure, engine.version, failure instanceof LoginThrottled ? failure.retryAfterSeconds : null);
      const ms = elapsedMs(started);
      if (analyst !== null) {
        // Nothing was disclosed; the attempt is audited all the same (without holding the answer).
        auditQuery(analyst, sql, 0, true).catch((auditError: Error) =>
          log.error({ queryId, err: { message: auditError.message } }, 'clickhouse endpoint: cannot write a refused query to the disclosure audit'));
        queryLog.write({
          time: new Date().toISOString(), analyst, address, queryId, statement, query: sql,
          refused: failure instanceof AnalystQueryRefusal || httpStatusFor(failure.type) === 403,
          error: { code: failure.code, name: failure.type, message: failure.message }, ms,
        });
      }
      // The error message may quote the query's literals; its code and name say enough.
      log.info({ queryId, statement, code: failure.code, error: failure.type, ms }, 'clickhouse endpoint: query refused or failed');
    }
  }

  /** The analyst's name, once the credentials are checked and the login is not throttled. */
  async function authenticate(search: URLSearchParams, request: IncomingMessage, address: string): Promise<string> {
    const credentials = readCredentials(search, request.headers);
    if (credentials === null) throw endpointError('REQUIRED_PASSWORD', 'default: Authentication failed: password is required for this endpoint; log in as an analyst');
    const shownUser = credentials.user.replace(/[^\w.@-]/g, '?').slice(0, 64);
    const waitMs = throttle.waitMs(credentials.user, address);
    if (waitMs > 0) throw new LoginThrottled(shownUser, Math.ceil(waitMs / 1000));
    if (!(await authenticator.verify(credentials.user, credentials.password))) {
      throttle.failed(credentials.user, address);
      log.warn({ user: shownUser, address }, 'clickhouse endpoint: failed analyst login');
      throw endpointError('AUTHENTICATION_FAILED', `${shownUser}: Authentication failed: password is incorrect, or there is no user with such name`);
    }
    throttle.succeeded(credentials.user);
    return credentials.user;
  }

  server.keepAliveTimeout = 10_000;
  server.listen(settings.port, settings.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await engine.close();
    await queryLog.close();
    await audit.close();
    ownAccess?.close();
    throw new Error(`the analysts' endpoint cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}`);
  }
  const url = endpointUrl(settings.host, (server.address() as AddressInfo).port);
  log.info({ url, queryLog: settings.queryLogFile }, 'clickhouse endpoint: serving the embedded engine read-only');

  return {
    url,
    async close() {
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // In-flight queries finish within the engine's time limit; do not wait longer than that.
      const deadline = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(deadline);
      await engine.close();
      await queryLog.close();
      await audit.close();
      ownAccess?.close();
    },
  };
}

function readQueryId(search: URLSearchParams, request: IncomingMessage): string {
  const given = search.get('query_id') ?? (typeof request.headers['x-clickhouse-query-id'] === 'string' ? request.headers['x-clickhouse-query-id'] : null);
  return given !== null && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

async function readBody(request: IncomingMessage, nativeBlocks: NativeBlockOptions): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_QUERY_BYTES) {
      request.resume();
      throw endpointError('SYNTAX_ERROR', `Max query size exceeded (${MAX_QUERY_BYTES} bytes); the analysts' endpoint only reads`);
    }
    chunks.push(chunk);
  }
  let body: Buffer = Buffer.concat(chunks);
  const encoding = String(request.headers['content-encoding'] ?? '');
  try {
    body = await decodeRequestBody(encoding, body, MAX_QUERY_BYTES);
  } catch (error) {
    if (error instanceof UnknownEncodingError) throw endpointError('NOT_IMPLEMENTED', error.message);
    throw endpointError('BAD_ARGUMENTS', `Cannot decompress the request body (${encoding.trim().slice(0, 40)}) or it exceeds ${MAX_QUERY_BYTES} bytes`);
  }
  if (nativeBlocks.decompressRequest) {
    try {
      body = decompressNativeBlocks(body, MAX_QUERY_BYTES, nativeBlocks.verifyChecksums);
    } catch (error) {
      throw endpointError('BAD_ARGUMENTS', `Cannot decompress the request body (decompress=1): ${(error as Error).message}`);
    }
  }
  return body.toString('utf8');
}

/** Too many failed logins for this name or address: answered 429 with Retry-After. */
class LoginThrottled extends ClickHouseHttpError {
  readonly retryAfterSeconds: number;
  constructor(user: string, retryAfterSeconds: number) {
    const error = endpointError('AUTHENTICATION_FAILED', `${user}: Authentication failed: too many failed logins for this user or from this address; retry in ${retryAfterSeconds} s`);
    super(error.code, error.type, error.message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function sendError(response: ServerResponse, error: ClickHouseHttpError, version: string, retryAfterSeconds: number | null): void {
  const text = formatErrorText({ code: error.code, name: error.type, message: error.message }, version);
  const status = retryAfterSeconds === null ? httpStatusFor(error.type) : 429;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(error.code),
    ...(status === 401 ? { 'WWW-Authenticate': 'Basic realm="ClickHouse", charset="UTF-8"' } : {}),
    ...(retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) }),
  });
  response.end(text);
}

function elapsedMs(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1_000_000n);
}
