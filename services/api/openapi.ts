/**
 * The OpenAPI 3.1 document of Truc's HTTP API, served at /openapi.json. Source and kind lists come
 * from the catalogue, so the document never disagrees with what the routes accept.
 */
import { KINDS, SOURCES } from '../platform/catalog.ts';
import { auditPaths } from '../audit/openapi.ts';
import { sunsetPaths } from '../sunset/openapi.ts';
import { operationsPaths } from '../operations/openapi.ts';
import { connectorPaths, connectorSchemas } from './connector-openapi.ts';
import { subscriptionPaths, subscriptionSchemas } from '../subscriptions/openapi.ts';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } };

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Truc API',
      version: '1',
      description:
        'Ingest of source records and operation of the Truc backbone. Every call needs `Authorization: Bearer <key>`: ' +
        'a source key publishes only its own source\'s kinds; an agency key manages its own subscriptions; an operator key manages connectors and every subscription.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['status', 'code', 'message'],
              properties: {
                status: { type: 'integer' },
                code: { type: 'string', examples: ['unsupported_media_type'] },
                message: { type: 'string' },
                details: {},
              },
            },
          },
        },
        Problem: {
          type: 'object',
          required: ['path', 'message'],
          properties: {
            path: { type: 'string', description: 'Dotted field path inside the record, or "(record)".', examples: ['vehicle.flightCode'] },
            message: { type: 'string', examples: ['expected string, missing'] },
          },
        },
        IngestResponse: {
          type: 'object',
          required: ['accepted', 'rejected'],
          properties: {
            accepted: {
              type: 'array',
              items: {
                type: 'object',
                required: ['index', 'event_id', 'source_record_id'],
                properties: {
                  index: { type: 'integer', description: 'Position of the record in the request (0-based; NDJSON: among non-blank lines).' },
                  event_id: { type: 'string', format: 'uuid', description: 'UUIDv5 of source, kind and source record id: the same record always gets the same id.' },
                  source_record_id: { type: 'string' },
                },
              },
            },
            rejected: {
              type: 'array',
              items: {
                type: 'object',
                required: ['index', 'problems'],
                properties: { index: { type: 'integer' }, problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } } },
              },
            },
          },
        },
        ...subscriptionSchemas,
        StageCrash: {
          type: ['object', 'null'],
          description: 'The last crash (its Kafka session failed and was started again), with its cause; null if none since start.',
          properties: {
            at: { type: 'string', format: 'date-time' },
            stage: { type: 'string' },
            errorClass: { type: 'string' },
            message: { type: 'string' },
            restarts: { type: 'integer' },
            restarting: { type: 'boolean' },
          },
        },
        ...connectorSchemas,
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/ingest/{source}/{kind}': {
        post: {
          summary: 'Publish source records',
          description:
            'One JSON record, a JSON array of records, or NDJSON (one record per line). Every record is validated against the raw ' +
            'Avro schema of (source, kind) before anything is written; valid records are written and acknowledged only after Kafka ' +
            'acknowledged them. 202: all accepted. 207: the valid records were accepted, the others are listed with their problems. ' +
            '422: none was valid, nothing was written. 503: Kafka did not acknowledge in time; nothing is claimed, send again.',
          parameters: [
            { name: 'source', in: 'path', required: true, schema: { enum: [...SOURCES] } },
            { name: 'kind', in: 'path', required: true, schema: { enum: [...KINDS] } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          responses: {
            202: { description: 'Every record accepted.', content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResponse' } } } },
            207: { description: 'Some records accepted, the rest rejected.', content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResponse' } } } },
            400: errorResponse('The body is not JSON, holds no record, or nests deeper than 32 levels.'),
            401: errorResponse('No valid API key.'),
            403: errorResponse('The key belongs to another source.'),
            404: errorResponse('Unknown source, or a kind the source does not publish.'),
            413: errorResponse('Over a limit: body size, record count, or what Kafka takes in one record or one write; sending the same again cannot succeed.'),
            415: errorResponse('Content type other than JSON or NDJSON.'),
            422: errorResponse('No record in the request is valid; `details` lists every problem.'),
            429: { ...errorResponse('The source is over its rate.'), headers: retryAfter },
            503: { ...errorResponse('Kafka unavailable (or ingest paused); nothing was accepted.'), headers: retryAfter },
          },
        },
      },
      ...connectorPaths,
      ...subscriptionPaths,
      ...operationsPaths,
      ...auditPaths,
      ...sunsetPaths,
      '/health': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'The API process is up.' } } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1 document.' } } } },
    },
  };
}
