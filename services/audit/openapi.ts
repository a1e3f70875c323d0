/**
 * The disclosure audit's part of the OpenAPI document (services/api/openapi.ts merges it in).
 */
import { DOCUMENT_TYPES } from '../../schemas/kinds/canonical-values.ts';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const operatorOnly = { 401: error('No valid API key.'), 403: error('Not an operator key.') };
const answer = {
  description: 'The deliveries, oldest first (at most 10,000); the reading itself is now in the audit.',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['deliveries', 'count', 'truncated'],
        properties: {
          count: { type: 'integer' },
          truncated: { type: 'boolean', description: 'More deliveries matched than were answered: narrow the question.' },
          deliveries: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                at: { type: 'string', format: 'date-time' },
                agency: { type: 'string' },
                subscription: { type: 'string' },
                channel: { enum: ['webhook', 'topic'] },
                tier: { enum: ['identified', 'pseudonymous'] },
                eventId: { type: 'string' },
                kind: { type: 'string' },
                personKey: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
  },
};
const unavailable = error('This process cannot read the audit table or compute person keys, or the reading cannot be audited now.');

export const auditPaths = {
  '/v1/audit/person': {
    post: {
      summary: "Every delivery of one person's records to an agency (operators)",
      description: 'The person_key is computed from the document as the normalizer computes it; the number is neither stored nor logged.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['documentType', 'number'],
              properties: { documentType: { enum: [...DOCUMENT_TYPES] }, number: { type: 'string', description: 'Spaces, dots and dashes are ignored.' } },
            },
          },
        },
      },
      responses: { 200: answer, 400: error('documentType or number malformed; `details` names the field.'), ...operatorOnly, 413: error('Body over 4 KiB.'), 503: unavailable },
    },
  },
  '/v1/audit/agency/{agency}': {
    get: {
      summary: 'What one agency received in a period (operators)',
      parameters: [
        { name: 'agency', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: 'Inclusive: a date (midnight UTC) or an ISO-8601 time with a zone.' },
        { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: 'Exclusive; at most 366 days after from.' },
      ],
      responses: { 200: answer, 400: error('Malformed agency id or period.'), ...operatorOnly, 503: unavailable },
    },
  },
};
