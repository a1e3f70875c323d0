/**
 * The HTTP face of the registry: Confluent's REST API paths, content types and error bodies, so
 * Confluent clients (serializers, @kafkajs/confluent-schema-registry, curl recipes) work unchanged.
 */
import Fastify, { LogController, type FastifyRequest } from 'fastify';
import type { Logger } from '../platform/logger.ts';
import { authenticationHook, type AuthenticationOptions } from './authentication.ts';
import { errors, RegistryError, toErrorResponse } from './errors.ts';
import { parseSchemaId, parseVersion, type Registry } from './registry.ts';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

// Confluent accepts all of these as JSON request bodies.
const JSON_CONTENT_TYPES = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
];

export interface ServerOptions {
  registry: Registry;
  logger: Logger;
  /** Whether the store has read the whole log within the given time (readiness probe). */
  isReady: (timeoutMs: number) => Promise<boolean>;
  /** Who may read and write (every route but /health asks). */
  authentication: Omit<AuthenticationOptions, 'logger'>;
}

type Params = Record<string, string>;
type Query = Record<string, string | undefined>;

const params = (request: FastifyRequest) => request.params as Params;
const query = (request: FastifyRequest) => request.query as Query;
const flag = (request: FastifyRequest, name: string) => query(request)[name]?.toLowerCase() === 'true';

export function buildServer({ registry, logger, isReady, authentication }: ServerOptions) {
  const app = Fastify({
    loggerInstance: logger,
    // Request lines would flood the log at info; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Subjects are often "<topic>-value", and topic names may be up to 249 characters.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_CONTENT_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // Clients send the JSON content type on bodiless DELETEs and POSTs too.
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new RegistryError(400, 400, `Invalid JSON body: ${(error as Error).message}`), undefined);
    }
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-type', CONTENT_TYPE);
    return payload;
  });

  app.addHook('onRequest', authenticationHook({ ...authentication, logger }));

  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send(errors.routeNotFound().toBody());
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'schema registry request failed');
    reply.status(status).send(body);
  });

  app.get('/', async () => ({}));

  app.get('/health', async (_request, reply) => {
    if (await isReady(2000)) return { status: 'ok' };
    return reply.status(503).send({ status: 'catching up with the schemas log' });
  });

  app.get('/schemas/types', async () => ['AVRO']);

  // ---- mode ----------------------------------------------------------------------------------

  app.get('/mode', async () => ({ mode: await registry.getGlobalMode() }));
  app.put('/mode', async (request) => ({ mode: await registry.setGlobalMode(request.body) }));
  app.get('/mode/:subject', async (request) => ({
    mode: await registry.getSubjectMode(params(request).subject!, flag(request, 'defaultToGlobal')),
  }));
  app.put('/mode/:subject', async (request) => ({ mode: await registry.setSubjectMode(params(request).subject!, request.body) }));
  app.delete('/mode/:subject', async (request) => ({ mode: await registry.deleteSubjectMode(params(request).subject!) }));

  // ---- subjects ------------------------------------------------------------------------------

  app.get('/subjects', async (request) => registry.listSubjects(flag(request, 'deleted'), query(request).subjectPrefix));

  app.get('/subjects/:subject/versions', async (request) =>
    registry.listVersions(params(request).subject!, flag(request, 'deleted')),
  );

  app.post('/subjects/:subject/versions', async (request) => registry.register(params(request).subject!, request.body));

  app.get('/subjects/:subject/versions/:version', async (request) => {
    const { subject, version } = params(request);
    return registry.getVersion(subject!, parseVersion(version!), flag(request, 'deleted'));
  });

  app.get('/subjects/:subject/versions/:version/schema', async (request) => {
    const { subject, version } = params(request);
    return (await registry.getVersion(subject!, parseVersion(version!), flag(request, 'deleted'))).schema;
  });

  // References are not supported, so nothing ever refers to a version; the version must exist still.
  app.get('/subjects/:subject/versions/:version/referencedby', async (request) => {
    const { subject, version } = params(request);
    await registry.getVersion(subject!, parseVersion(version!), true);
    return [];
  });

  app.delete('/subjects/:subject/versions/:version', async (request) => {
    const { subject, version } = params(request);
    return registry.deleteVersion(subject!, parseVersion(version!), flag(request, 'permanent'));
  });

  app.post('/subjects/:subject', async (request) =>
    registry.lookup(params(request).subject!, request.body, flag(request, 'deleted')),
  );

  app.delete('/subjects/:subject', async (request) =>
    registry.deleteSubject(params(request).subject!, flag(request, 'permanent')),
  );

  // ---- schemas by id -------------------------------------------------------------------------

  app.get('/schemas/ids/:id', async (request) => ({
    schema: await registry.schemaById(parseSchemaId(params(request).id!), query(request).subject),
  }));

  app.get('/schemas/ids/:id/schema', async (request) =>
    registry.schemaById(parseSchemaId(params(request).id!), query(request).subject),
  );

  app.get('/schemas/ids/:id/subjects', async (request) =>
    registry.subjectsOfId(parseSchemaId(params(request).id!), flag(request, 'deleted')),
  );

  app.get('/schemas/ids/:id/versions', async (request) =>
    registry.versionsOfId(parseSchemaId(params(request).id!), flag(request, 'deleted')),
  );

  // ---- compatibility -------------------------------------------------------------------------

  const compatibilityAnswer = (problems: string[], verbose: boolean) =>
    verbose ? { is_compatible: problems.length === 0, messages: problems } : { is_compatible: problems.length === 0 };

  app.post('/compatibility/subjects/:subject/versions/:version', async (request) => {
    const { subject, version } = params(request);
    const problems = await registry.testCompatibility(subject!, parseVersion(version!), request.body);
    return compatibilityAnswer(problems, flag(request, 'verbose'));
  });

  app.post('/compatibility/subjects/:subject/versions', async (request) => {
    const problems = await registry.testCompatibility(params(request).subject!, null, request.body);
    return compatibilityAnswer(problems, flag(request, 'verbose'));
  });

  // ---- configuration -------------------------------------------------------------------------

  app.get('/config', async () => ({ compatibilityLevel: await registry.getGlobalCompatibility() }));
  app.put('/config', async (request) => ({ compatibility: await registry.setGlobalCompatibility(request.body) }));
  app.delete('/config', async () => ({ compatibilityLevel: await registry.resetGlobalCompatibility() }));

  app.get('/config/:subject', async (request) => ({
    compatibilityLevel: await registry.getSubjectCompatibility(params(request).subject!, flag(request, 'defaultToGlobal')),
  }));
  app.put('/config/:subject', async (request) => ({
    compatibility: await registry.setSubjectCompatibility(params(request).subject!, request.body),
  }));
  app.delete('/config/:subject', async (request) => ({
    compatibilityLevel: await registry.deleteSubjectCompatibility(params(request).subject!),
  }));

  return app;
}
