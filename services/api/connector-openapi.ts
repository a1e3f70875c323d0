/**
 * The connectors' part of the OpenAPI document (services/api/openapi.ts merges it in): types with
 * their config specs, instances, target states and offsets (connector-routes.ts).
 */
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const json = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const operatorOnly = { 401: error('No valid API key.'), 403: error('Not an operator key.') };
const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } };
const body = (schema: unknown, example?: unknown) => ({ required: true, content: { 'application/json': { schema, ...(example ? { example } : {}) } } });
const noHost = { 503: error('This process runs no pull connectors (the API on its own).') };
const offsetsAnswer = json("The connector's offsets, one per source partition.", ref('ConnectorOffsets'));

export const connectorSchemas = {
  ConnectorStatus: {
    type: 'object',
    required: ['name', 'type', 'state', 'records', 'rejected', 'errors', 'lastError'],
    properties: {
      name: { type: 'string' },
      type: { type: 'string' },
      state: { enum: ['STARTING', 'RUNNING', 'PAUSED', 'FAILED', 'STOPPED'] },
      records: { type: 'integer' },
      rejected: { type: 'integer' },
      errors: { type: 'integer' },
      lastError: { type: ['object', 'null'], properties: { at: { type: 'string', format: 'date-time' }, message: { type: 'string' } } },
      lastCrash: { $ref: '#/components/schemas/StageCrash' },
      details: { type: 'object' },
      targetState: { enum: ['RUNNING', 'PAUSED', 'STOPPED'], description: 'Pull instances: the state asked for, kept across restarts.' },
      config: { type: 'object', description: 'Pull instances: the configuration as given (passwords shown as "[hidden]"; sending "[hidden]" back keeps them).' },
    },
  },
  ConnectorInstance: {
    type: 'object',
    required: ['type', 'config'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$', description: 'POST only (PUT takes it from the path). Keys the offsets: an instance created again with a name resumes from its offsets.' },
      type: { enum: ['file', 'http-poll'] },
      config: { type: 'object', additionalProperties: { type: ['string', 'integer', 'null'] }, description: 'Field values; GET /v1/connector-types lists each type\'s fields.' },
    },
  },
  ConfigValidation: {
    type: 'object',
    description: "Field by field, as Kafka Connect's config/validate: each field's definition and its value's errors (none when right).",
    properties: {
      type: { type: 'string' },
      error_count: { type: 'integer' },
      configs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            definition: { type: 'object', properties: { name: { type: 'string' }, type: { enum: ['string', 'int', 'password'] }, required: { type: 'boolean' }, default_value: {}, documentation: { type: 'string' } } },
            value: { type: 'object', properties: { name: { type: 'string' }, value: {}, errors: { type: 'array', items: { type: 'string' } } } },
          },
        },
      },
    },
  },
  ConnectorOffsets: {
    type: 'object',
    properties: {
      offsets: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            partition: { type: 'string', description: 'A source partition: a file name of a drop folder, "feed" for a poller.' },
            offset: { type: ['object', 'null'], description: 'As the connector writes it: {"cursor"} for a poller; the file identity and position for a drop folder. null (PATCH) deletes it.' },
          },
        },
      },
    },
  },
};

export const connectorPaths = {
  '/v1/connector-types': {
    get: {
      summary: 'The pull connector types with their configuration fields (operator)',
      responses: { 200: json('Each type with its fields: type, required, default, documentation.', { type: 'object' }), ...operatorOnly, ...noHost },
    },
  },
  '/v1/connector-types/{type}/config/validate': {
    put: {
      summary: 'Validate a configuration field by field without creating anything (operator)',
      parameters: [{ name: 'type', in: 'path', required: true, schema: { enum: ['file', 'http-poll'] } }],
      requestBody: body({ type: 'object' }, { source: 'checkpoint-ops', csvKind: 'checkpoint', folder: 'province-01' }),
      responses: { 200: json('The verdict per field (also when there are errors).', ref('ConfigValidation')), 404: error('No such type.'), 413: error('Body over 64 KiB.'), ...operatorOnly, ...noHost },
    },
  },
  '/v1/connectors': {
    get: {
      summary: 'List connectors with their status; pull instances with their configuration and target state (operator)',
      responses: { 200: json('Every connector: HTTP ingest, then the pull instances.', { type: 'object', properties: { connectors: { type: 'array', items: ref('ConnectorStatus') } } }), ...operatorOnly },
    },
    post: {
      summary: 'Create a pull connector instance (operator); it starts at once and after every restart',
      requestBody: body(ref('ConnectorInstance'), { name: 'file-province-01', type: 'file', config: { source: 'checkpoint-ops', csvKind: 'checkpoint', folder: 'province-01' } }),
      responses: {
        201: json('Created; its status.', ref('ConnectorStatus')),
        400: error('Invalid name, unknown type, or a configuration with errors: `details` is the field-by-field validation.'),
        409: error('A connector of that name exists.'),
        413: error('Body over 64 KiB.'),
        ...operatorOnly,
        ...noHost,
      },
    },
  },
  '/v1/connectors/{name}': {
    get: {
      summary: "One connector's status (operator)",
      parameters: [name],
      responses: { 200: json('Status.', ref('ConnectorStatus')), 404: error('No such connector.'), ...operatorOnly },
    },
    put: {
      summary: "Create or replace a pull instance's configuration (operator); a changed configuration restarts it",
      parameters: [name],
      requestBody: body(ref('ConnectorInstance')),
      responses: { 200: json('Replaced.', ref('ConnectorStatus')), 201: json('Created.', ref('ConnectorStatus')), 400: error('As for POST.'), 413: error('Body over 64 KiB.'), ...operatorOnly, ...noHost },
    },
    delete: {
      summary: 'Delete a pull instance (operator); its offsets stay',
      parameters: [name],
      responses: { 204: { description: 'Deleted and stopped.' }, 404: error('No such pull instance.'), ...operatorOnly, ...noHost },
    },
  },
  '/v1/connectors/{name}/status': {
    get: { summary: "One connector's status (operator)", parameters: [name], responses: { 200: json('Status.', ref('ConnectorStatus')), 404: error('No such connector.'), ...operatorOnly } },
  },
  '/v1/connectors/{name}/offsets': {
    get: { summary: "A pull instance's committed offsets (operator)", parameters: [name], responses: { 200: offsetsAnswer, 404: error('No such pull instance.'), ...operatorOnly, ...noHost } },
    delete: {
      summary: "Reset a stopped pull instance's offsets (operator): on resume it reads its source from the beginning",
      parameters: [name],
      responses: { 200: offsetsAnswer, 404: error('No such pull instance.'), 409: error('The connector is not stopped (POST …/stop first).'), ...operatorOnly, ...noHost },
    },
    patch: {
      summary: "Set or delete some offsets of a stopped pull instance (operator): on resume it reads from them",
      parameters: [name],
      requestBody: body(ref('ConnectorOffsets'), { offsets: [{ partition: 'feed', offset: { cursor: 'aXRlbToyNTA' } }] }),
      responses: {
        200: offsetsAnswer,
        400: error('An offset the type cannot have: `details` lists them by index.'),
        404: error('No such pull instance.'),
        409: error('The connector is not stopped.'),
        ...operatorOnly,
        ...noHost,
      },
    },
  },
  '/v1/connectors/{name}/{action}': {
    post: {
      summary: 'Pause, resume, stop or restart a connector (operator); a pull instance keeps its state across restarts',
      description: 'pause: nothing more is read, the source stays open. stop (pull instances): the source is released and offsets may be changed. resume: runs a paused or stopped connector. restart: a new session, offsets read again.',
      parameters: [name, { name: 'action', in: 'path', required: true, schema: { enum: ['pause', 'resume', 'stop', 'restart'] } }],
      responses: { 200: json('Status after the action.', ref('ConnectorStatus')), 404: error('No such connector or action.'), ...operatorOnly },
    },
  },
};
