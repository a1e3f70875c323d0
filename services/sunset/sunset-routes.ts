/**
 * `POST /v1/sunset` (operator key): runs the epidemic's sunset (sunset.ts) and answers with its
 * signed receipt. The body must hold the confirmation phrase: erasing an epidemic's data and
 * destroying the secret cannot be undone, so no request does it by accident (a replayed or
 * mistyped call, a script aimed at the wrong route).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireOperator } from '../api/server.ts';
import { sendError } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import { SUNSET_CONFIRMATION, SunsetRefusal, type Sunset } from './sunset.ts';

const MAX_BODY_BYTES = 1024;

export class SunsetRoutes {
  private readonly sunset: Sunset | null;
  private readonly logger: Logger;

  /** Without a sunset (a process that does not run the whole pipeline) the route answers 503. */
  constructor(sunset: Sunset | null, logger: Logger) {
    this.sunset = sunset;
    this.logger = logger;
  }

  private readonly admitOperator = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> =>
    requireOperator(request, reply) ? undefined : reply;

  register(app: FastifyInstance): void {
    app.post<{ Body: unknown }>('/v1/sunset', { onRequest: this.admitOperator, bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
      const body = request.body as { confirm?: unknown } | null;
      if (typeof body !== 'object' || body === null || body.confirm !== SUNSET_CONFIRMATION) {
        return sendError(reply, 400, 'confirmation_required', `the body must be {"confirm": "${SUNSET_CONFIRMATION}"}: a sunset erases the epidemic's data and destroys the person_key secret`, { details: [{ path: '/confirm' }] });
      }
      if (!this.sunset) {
        return sendError(reply, 503, 'sunset_unavailable', 'a sunset runs in the process that runs the whole pipeline (npm start): ask its API');
      }
      try {
        return reply.code(200).send(await this.sunset.run());
      } catch (error) {
        if (error instanceof SunsetRefusal) return sendError(reply, error.status, error.code, error.message);
        this.logger.error({ err: (error as Error).message }, 'sunset failed');
        return sendError(reply, 500, 'sunset_failed', `the sunset failed: ${(error as Error).message}; ingest is resumed, see the log for how far it went`);
      }
    });
  }
}
