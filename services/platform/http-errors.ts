/**
 * One error shape for every HTTP answer of Truc's API:
 *   { "error": { "status": 415, "code": "unsupported_media_type", "message": "..." } }
 * plus, where it helps, `details` (for example the rejected records of an ingest request).
 */
import type { FastifyReply } from 'fastify';

export interface ApiErrorBody {
  error: { status: number; code: string; message: string; details?: unknown };
}

export function apiError(status: number, code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: { status, code, message, ...(details === undefined ? {} : { details }) } };
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  options: { details?: unknown; headers?: Record<string, string> } = {},
): FastifyReply {
  if (options.headers) reply.headers(options.headers);
  return reply.code(status).send(apiError(status, code, message, options.details));
}

/** The answer to a request without an API key: 401, with the scheme to use. */
export function sendKeyRequired(reply: FastifyReply): FastifyReply {
  return sendError(reply, 401, 'unauthorized', 'an API key is required: Authorization: Bearer <key>', {
    headers: { 'www-authenticate': 'Bearer realm="truc"' },
  });
}
