/**
 * The privacy officer's questions, for operators (README, "Disclosure audit"):
 * - `POST /v1/audit/person` `{documentType, number}`: which agencies received this person's records,
 *   when, through which subscription and channel, at which tier. The person_key is computed here
 *   with the deployment's secret, as the normalizer computes it; the document number travels in the
 *   body (never in a URL, which proxies and access logs keep) and is neither stored nor logged.
 * - `GET /v1/audit/agency/{agency}?from=…&to=…`: what one agency received in a period.
 * Each answer is itself written to the audit (action audit_read) before it is sent.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOCUMENT_TYPES } from '../../schemas/kinds/canonical-values.ts';
import { AGENCY_ID_PATTERN } from '../platform/access.ts';
import { actionRecord, type AuditLog } from '../platform/audit-log.ts';
import { sendError } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import { compactDocumentNumber, type PersonKeyFunction } from '../platform/person-key.ts';
import { requireOperator } from '../api/server.ts';
import type { AuditReader, DeliveryAnswer } from './audit-reader.ts';

const MAX_BODY_BYTES = 4 * 1024;
/** A period of at most a year per question: a longer one is several questions. */
const MAX_PERIOD_MS = 366 * 24 * 3_600_000;

export interface AuditRoutesOptions {
  logger: Logger;
  /** Null where this process cannot read the audit table (the embedded engine is another process's). */
  reader: AuditReader | null;
  audit: AuditLog;
  /** The deployment's person_key function (it follows a sunset's rotation of the secret). */
  personKey: PersonKeyFunction;
}

export class AuditRoutes {
  private readonly options: AuditRoutesOptions;

  constructor(options: AuditRoutesOptions) {
    this.options = options;
  }

  private readonly admitOperator = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> =>
    requireOperator(request, reply) ? undefined : reply;

  private readerOr503(reply: FastifyReply): AuditReader | null {
    if (this.options.reader) return this.options.reader;
    sendError(reply, 503, 'audit_unavailable', 'this process cannot read the audit table: ask the API of the process that runs the ClickHouse sink (npm start), or set CLICKHOUSE_URL');
    return null;
  }

  /** Records the reading, then sends the answer; an answer whose reading cannot be audited is withheld. */
  private async answer(reply: FastifyReply, question: string, subject: string | null, answer: DeliveryAnswer): Promise<FastifyReply> {
    try {
      await this.options.audit.write([
        actionRecord({ audit_id: `audit-read/${randomUUID()}`, action: 'audit_read', at: Date.now(), actor: 'operator', statement: question, rows_read: answer.deliveries.length, person_key: subject }),
      ]);
    } catch (error) {
      this.options.logger.error({ err: (error as Error).message }, 'could not write an audit reading to the audit; answer withheld');
      return sendError(reply, 503, 'audit_unavailable', 'the reading cannot be written to the audit now (Kafka unreachable); try again later', { headers: { 'retry-after': '5' } });
    }
    return reply.code(200).send({ ...answer, count: answer.deliveries.length });
  }

  register(app: FastifyInstance): void {
    const admitted = { onRequest: this.admitOperator, bodyLimit: MAX_BODY_BYTES };

    app.post<{ Body: unknown }>('/v1/audit/person', admitted, async (request, reply) => {
      const reader = this.readerOr503(reply);
      if (!reader) return reply;
      const body = request.body as { documentType?: unknown; number?: unknown } | null;
      const type = typeof body?.documentType === 'string' ? body.documentType.toUpperCase() : null;
      if (type === null || !(DOCUMENT_TYPES as readonly string[]).includes(type)) {
        return sendError(reply, 400, 'invalid_request', `documentType must be one of ${DOCUMENT_TYPES.join(', ')}`, { details: [{ path: '/documentType' }] });
      }
      const number = typeof body?.number === 'string' ? compactDocumentNumber(body.number) : '';
      if (!/^[A-Z0-9]{1,32}$/.test(number)) {
        return sendError(reply, 400, 'invalid_request', 'number must be the document number: 1 to 32 letters and digits (spaces, dots and dashes are ignored)', { details: [{ path: '/number' }] });
      }
      const personKey = this.options.personKey({ document: { type, number } });
      const answer = await reader.person(personKey);
      return this.answer(reply, `person ${personKey}`, personKey, answer);
    });

    app.get<{ Params: { agency: string }; Querystring: { from?: string; to?: string } }>('/v1/audit/agency/:agency', admitted, async (request, reply) => {
      const reader = this.readerOr503(reply);
      if (!reader) return reply;
      const { agency } = request.params;
      if (!AGENCY_ID_PATTERN.test(agency)) return sendError(reply, 400, 'invalid_request', 'an agency id is 1 to 63 lowercase letters, digits or \'-\'', { details: [{ path: '/agency' }] });
      const from = parseInstant(request.query.from);
      const to = parseInstant(request.query.to);
      if (from === null || to === null) {
        return sendError(reply, 400, 'invalid_request', 'from and to are required, as ISO-8601 times with a zone (2021-10-01T00:00:00Z) or dates (2021-10-01, midnight UTC)', { details: [{ path: from === null ? '/from' : '/to' }] });
      }
      if (to.getTime() <= from.getTime() || to.getTime() - from.getTime() > MAX_PERIOD_MS) {
        return sendError(reply, 400, 'invalid_request', 'to must be after from, and the period at most 366 days', { details: [{ path: '/to' }] });
      }
      const answer = await reader.agency(agency, from, to);
      return this.answer(reply, `agency ${agency} from ${from.toISOString()} to ${to.toISOString()}`, null, answer);
    });
  }
}

/** An ISO-8601 date or a time with a zone; null for anything else (a time without a zone is ambiguous). */
export function parseInstant(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  if (!dateOnly && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}
