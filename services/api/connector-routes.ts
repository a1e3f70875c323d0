/**
 * The connectors' management API (operators only), shaped after Kafka Connect's REST API: the
 * connector types with their config specs and a field-by-field validation; the instances of the
 * pull types (create, read, replace, delete, pause, resume, stop, restart), kept on the connector
 * store; their offsets (read any time; reset or alter only while stopped). The push connector
 * (HTTP ingest) is listed with them and can be paused, resumed and restarted, but has no
 * configuration or offsets here. Without a connector host in the process (the API on its own),
 * only the push connector is managed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PullConnectors } from '../../connectors/main.ts';
import { fieldDefinition, redacted } from '../../connectors/runtime/config-spec.ts';
import type { AdminResult } from '../../connectors/runtime/connector-admin.ts';
import type { TargetState } from '../../connectors/runtime/connector-store.ts';
import type { ManagedConnector } from '../../connectors/runtime/managed-connector.ts';
import { sendError } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import { requireOperator } from './server.ts';

/** Configurations and offset changes are small: a limit of their own, far below ingest's. */
const MAX_BODY_BYTES = 64 * 1024;

type Params = { Params: { name: string } };

const STATE_OF_ACTION: Record<string, TargetState> = { pause: 'PAUSED', resume: 'RUNNING', stop: 'STOPPED' };

export interface ConnectorRoutesOptions {
  logger: Logger;
  /** The push connector of this API. */
  ingest: ManagedConnector;
  pull: PullConnectors | null;
}

export class ConnectorRoutes {
  private readonly options: ConnectorRoutesOptions;

  constructor(options: ConnectorRoutesOptions) {
    this.options = options;
  }

  /** Every connector of the process: the push connector, then the pull instances in creation order. */
  connectors(): ManagedConnector[] {
    return [this.options.ingest, ...(this.options.pull?.connectors ?? [])];
  }

  private readonly admitOperator = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> =>
    requireOperator(request, reply) ? undefined : reply;

  /** A connector's status, with the configuration (passwords hidden) and target state of a pull instance. */
  private view(connector: ManagedConnector): Record<string, unknown> {
    const instance = this.options.pull?.host.store.get(connector.name);
    const type = instance && this.options.pull?.host.types.get(instance.type);
    if (!instance) return { ...connector.status() };
    return { ...connector.status(), targetState: instance.state, config: type ? redacted(type.fields, instance.config) : instance.config };
  }

  private send<T>(reply: FastifyReply, result: AdminResult<T>, answer: (value: T) => unknown, status = 200): FastifyReply {
    if (!result.ok) return sendError(reply, result.status, result.code, result.message, result.details === undefined ? {} : { details: result.details });
    return reply.code(status).send(answer(result.value));
  }

  private pullOr503(reply: FastifyReply): PullConnectors | null {
    if (this.options.pull) return this.options.pull;
    sendError(reply, 503, 'no_connector_host', 'this process runs no pull connectors (npm start and connectors/main.ts do)');
    return null;
  }

  private known(name: string, reply: FastifyReply): ManagedConnector | null {
    const connector = this.connectors().find((candidate) => candidate.name === name);
    if (!connector) sendError(reply, 404, 'unknown_connector', `no connector named ${JSON.stringify(name)}`);
    return connector ?? null;
  }

  register(app: FastifyInstance): void {
    const { logger } = this.options;
    const admitted = { onRequest: this.admitOperator };
    const withBody = { ...admitted, bodyLimit: MAX_BODY_BYTES };

    app.get('/v1/connector-types', admitted, async (_request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      return { types: [...pull.host.types.values()].map((type) => ({ name: type.name, doc: type.doc, fields: type.fields.map(fieldDefinition) })) };
    });
    app.put<{ Params: { type: string } }>('/v1/connector-types/:type/config/validate', withBody, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const checked = await pull.admin.validate(request.params.type, request.body ?? null, null);
      if (!checked) return sendError(reply, 404, 'unknown_type', `no connector type ${JSON.stringify(request.params.type)} (types: ${[...pull.host.types.keys()].join(', ')})`);
      return checked.report;
    });

    app.get('/v1/connectors', admitted, async () => ({ connectors: this.connectors().map((connector) => this.view(connector)) }));
    app.post('/v1/connectors', withBody, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const { name, type, config } = (request.body ?? {}) as { name?: unknown; type?: unknown; config?: unknown };
      if (typeof name !== 'string') return sendError(reply, 400, 'invalid_name', 'name is required: the connector\'s name (1 to 100 letters, digits, ".", "_" or "-")');
      const result = await pull.admin.put(name, type, config ?? null, true);
      if (result.ok) logger.info({ connector: name, type }, 'connector created by operator');
      return this.send(reply, result, ({ instance }) => this.view(pull.host.get(instance.name)!), 201);
    });
    app.get<Params>('/v1/connectors/:name', admitted, async (request, reply) => {
      const connector = this.known(request.params.name, reply);
      return connector ? this.view(connector) : reply;
    });
    app.get<Params>('/v1/connectors/:name/status', admitted, async (request, reply) => {
      const connector = this.known(request.params.name, reply);
      return connector ? connector.status() : reply;
    });
    app.put<Params>('/v1/connectors/:name', withBody, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const { type, config } = (request.body ?? {}) as { type?: unknown; config?: unknown };
      const result = await pull.admin.put(request.params.name, type, config ?? null, false);
      if (result.ok) logger.info({ connector: request.params.name, type, created: result.value.created }, 'connector configured by operator');
      return this.send(reply, result, ({ instance }) => this.view(pull.host.get(instance.name)!), result.ok && result.value.created ? 201 : 200);
    });
    app.delete<Params>('/v1/connectors/:name', admitted, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const result = await pull.admin.delete(request.params.name);
      if (result.ok) logger.info({ connector: request.params.name }, 'connector deleted by operator');
      return this.send(reply, result, () => undefined, 204);
    });

    app.get<Params>('/v1/connectors/:name/offsets', admitted, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      return this.send(reply, await pull.admin.offsets(request.params.name), (offsets) => ({ offsets }));
    });
    app.delete<Params>('/v1/connectors/:name/offsets', admitted, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const result = await pull.admin.alter(request.params.name, null);
      if (result.ok) logger.info({ connector: request.params.name }, 'connector offsets reset by operator');
      return this.send(reply, result, (offsets) => ({ offsets }));
    });
    app.patch<Params>('/v1/connectors/:name/offsets', withBody, async (request, reply) => {
      const pull = this.pullOr503(reply);
      if (!pull) return reply;
      const result = await pull.admin.alter(request.params.name, request.body ?? {});
      if (result.ok) logger.info({ connector: request.params.name }, 'connector offsets altered by operator');
      return this.send(reply, result, (offsets) => ({ offsets }));
    });

    app.post<{ Params: { name: string; action: string } }>('/v1/connectors/:name/:action', admitted, async (request, reply) => {
      const { name, action } = request.params;
      const connector = this.known(name, reply);
      if (!connector) return reply;
      const pull = this.options.pull;
      const stored = pull?.host.store.get(name);
      if (!['pause', 'resume', 'restart', 'stop'].includes(action) || (action === 'stop' && !stored)) {
        return sendError(reply, 404, 'unknown_action', `connectors can be paused, resumed or restarted${stored ? ' or stopped' : ''}, not ${JSON.stringify(action)}`);
      }
      if (pull && stored) {
        // A pull instance's target state is stored, so it outlives a restart of the process.
        if (action === 'restart') await pull.host.restart(name);
        else {
          const result = await pull.admin.setState(name, STATE_OF_ACTION[action]!);
          if (!result.ok) return this.send(reply, result, () => null);
        }
      } else {
        await connector[action as 'pause' | 'resume' | 'restart']();
      }
      logger.info({ connector: name, action }, 'connector action by operator');
      return this.view(this.known(name, reply)!);
    });
  }
}
