/**
 * The operator console's part of the OpenAPI document (services/api/openapi.ts merges it in).
 */
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const operatorOnly = { 401: error('No valid API key.'), 403: error('Not an operator key.') };
const stage = {
  name: 'stage',
  schema: { type: 'string', pattern: '^(normalizer|ingest|sink\\.[A-Za-z0-9][A-Za-z0-9._-]*)$', default: 'normalizer' },
  description: 'normalizer, ingest, sink.clickhouse or sink.<subscription id>.',
};
/** An alert as sent to the alert destinations (services/alerts/alert-message.ts); figures and states only. */
const alert = {
  type: 'object',
  required: ['alert', 'state', 'severity', 'what', 'where', 'summary', 'since', 'at', 'values'],
  properties: {
    alert: { type: 'string', description: 'The alert\'s key, e.g. lag:normalizer.' },
    state: { enum: ['firing', 'resolved'] },
    severity: { enum: ['warning', 'critical'] },
    what: { type: 'string' },
    where: { type: 'string' },
    summary: { type: 'string' },
    since: { type: 'string', format: 'date-time', description: 'When the condition started to hold.' },
    at: { type: 'string', format: 'date-time', description: 'When it fired or resolved.' },
    values: { type: 'object', description: 'The figures that explain it (counts, states, error classes).' },
  },
};
const filters = [
  { name: 'source', in: 'query', schema: { type: 'string' } },
  { name: 'kind', in: 'query', schema: { type: 'string' } },
  { name: 'errorClass', in: 'query', schema: { type: 'string' }, description: 'e.g. UnknownProvince' },
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Dead-lettered at or after.' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Dead-lettered before.' },
];

export const operationsPaths = {
  '/console': {
    get: {
      summary: 'The operator console (HTML; its script and style at /console/console.js and /console/console.css)',
      description: 'Static files only: the page asks for the operator key and reads the routes below with it.',
      security: [],
      responses: { 200: { description: 'The page.', content: { 'text/html': {} } } },
    },
  },
  '/v1/operations/snapshot': {
    get: {
      summary: 'The pipeline now: stages and the records/s and lag of each edge, per (source, kind) counts, ClickHouse sink health, subscriptions, connectors, recent warnings, last crashes, alerts, throughput over the last hour',
      description:
        'Counts and states only, never record contents. Operator key. `crashes`: the last crash of each stage and connector that ' +
        'crashed since the process started, newest first. `alerts`: those firing now (oldest first) and the latest resolved ' +
        '(newest first), as sent to the alert destinations; both empty when alerts are off.',
      responses: {
        200: {
          description: 'The snapshot (`at`, `stages`, `edges`, `pairs`, `sink`, `subscriptions`, `connectors`, `warnings`, `history` and the fields below).',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['crashes', 'alerts'],
                properties: {
                  crashes: { type: 'array', items: { $ref: '#/components/schemas/StageCrash' } },
                  alerts: {
                    type: 'object',
                    required: ['firing', 'resolved'],
                    properties: { firing: { type: 'array', items: alert }, resolved: { type: 'array', items: alert } },
                  },
                },
              },
            },
          },
        },
        ...operatorOnly,
      },
    },
  },
  '/v1/operations/dead-letters': {
    get: {
      summary: 'Dead letters of a stage, newest first, with filters (no record contents)',
      parameters: [
        { ...stage, in: 'query' },
        ...filters,
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        { name: 'skip', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'The `nextSkip` of the previous page.' },
      ],
      responses: {
        200: json('`{ stage, topic, total, replayable, deadLetters: [{ partition, offset, at, source, kind, errorClass, reason, origin }], nextSkip }`.'),
        400: error('A malformed filter.'),
        404: error('No such stage.'),
        429: error('Dead-letter topics are being read already.'),
        ...operatorOnly,
      },
    },
  },
  '/v1/operations/dead-letters/{stage}/{position}': {
    get: {
      summary: 'One dead letter in full: headers and record. It holds personal data: operator key, and each look is logged',
      parameters: [
        { ...stage, in: 'path', required: true },
        { name: 'position', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+:\\d+$' }, description: '<partition>:<offset>, as listed.' },
      ],
      responses: { 200: json('`{ stage, partition, offset, headers, record }`.'), 400: error('A malformed position.'), 404: error('No dead letter there.'), ...operatorOnly },
    },
  },
  '/v1/operations/dead-letters/replay': {
    post: {
      summary: 'Writes the normalizer\'s dead letters matching the filters back to their raw topics (as `truc dlq replay`), or says what it would write',
      description: 'Only normalizer dead letters, only to the catalogue\'s raw topics, with their original key and headers (so each keeps its event id).',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['dryRun'],
              additionalProperties: false,
              properties: {
                stage: stage.schema,
                source: { type: 'string' },
                kind: { type: 'string' },
                errorClass: { type: 'string' },
                from: { type: 'string', format: 'date-time' },
                to: { type: 'string', format: 'date-time' },
                dryRun: { type: 'boolean' },
              },
            },
          },
        },
      },
      responses: {
        200: json('`{ stage, dryRun, replayed, topics: [{ topic, count }], skipped }`.'),
        400: error('A malformed body.'),
        413: error('A body over 4 KiB.'),
        422: error('The stage\'s dead letters are not replayed (ingest\'s, sinks\').'),
        ...operatorOnly,
      },
    },
  },
};
