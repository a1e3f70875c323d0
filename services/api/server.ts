/**
 * Truc's HTTP API (Fastify): authentication of every caller, the routes of the services and
 * connectors that have some (ingest, connector management, ...), the OpenAPI document and a liveness probe. Errors share one shape
 * (services/platform/http-errors.ts).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { bearerKey, type AccessSource, type Principal } from '../platform/access.ts';
import { sendError, sendKeyRequired } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Registry } from 'prom-client';
import { openApiDocument } from './openapi.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface RouteProvider {
  register(app: FastifyInstance): void;
}

export interface ApiOptions {
  logger: Logger;
  /** Looked up per request, so added and revoked keys apply to the next request. */
  access: AccessSource;
  /** Connectors and services that add routes of their own (HTTP ingest, ...). */
  routes: RouteProvider[];
  maxBodyBytes: number;
  /** Prometheus figures to serve at /metrics (aggregate counts only, never record contents). */
  metrics?: Registry;
}

/** Answers 401 or 403 unless the caller presented an operator key; true when it did. */
export function requireOperator(request: FastifyRequest, reply: FastifyReply): boolean {
  if (!request.principal) {
    sendKeyRequired(reply);
    return false;
  }
  if (request.principal.type !== 'operator') {
    sendError(reply, 403, 'forbidden', 'this needs an operator key');
    return false;
  }
  return true;
}

/** Fastify's own errors (bad JSON, body too large, media type) in Truc's error shape. */
function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, options: ApiOptions): FastifyReply {
  const { logger } = options;
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    logger.error({ err: error, method: request.method, route: request.routeOptions.url }, 'request failed');
    return sendError(reply, 500, 'internal_error', 'the request failed inside Truc; the operator can find it in the log');
  }
  const codes: Record<number, string> = {
    400: 'bad_request',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
  };
  const message =
    // A route may set a limit of its own (the subscriptions routes do).
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the body is larger than the limit of ${request.routeOptions.bodyLimit ?? options.maxBodyBytes} bytes` : error.message;
  return sendError(reply, status, codes[status] ?? 'bad_request', message);
}

export function buildApi(options: ApiOptions): FastifyInstance {
  const { logger, access } = options;
  const app = Fastify({
    // Per-request logs at thousands of requests a second would drown the log; failures are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    loggerInstance: logger as FastifyBaseLogger,
  });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const key = bearerKey(request.headers.authorization);
    request.principal = key ? access.current().identify(key) : null;
  });
  app.setErrorHandler((error: FastifyError, request, reply) => handleError(error, request, reply, options));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`),
  );

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () => openApiDocument());
  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  }

  for (const provider of options.routes) provider.register(app);
  return app;
}
