/**
 * A type of pull connector (`file`, `http-poll`): its configuration spec, how it makes a connector
 * of a validated configuration, and which offsets an operator may write for it. Instances of a
 * type are configurations (connector-store.ts); any number of them run at once.
 */
import { isKind, sourceEntry, sourcePublishes, SOURCES } from '../../services/platform/catalog.ts';
import type { Logger } from '../../services/platform/logger.ts';
import type { ConnectorConfig, FieldSpec } from './config-spec.ts';
import type { SourceConnector, SourceOffset } from './source-connector.ts';

export interface ConnectorType {
  readonly name: string;
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
  /** The connector of a configuration that passed validation, defaults filled in. */
  create(name: string, config: ConnectorConfig, logger: Logger): SourceConnector;
  /** Why `offset` cannot be written for `partition` (an offset alteration by an operator); null when it can. */
  offsetProblem(partition: string, offset: SourceOffset): string | null;
}

/** The `source` field every pull type has: a source of the catalogue. */
export function sourceField(doc: string, check?: FieldSpec['check']): FieldSpec {
  return {
    name: 'source',
    type: 'string',
    doc,
    check: async (value, config, context) => {
      if (sourceEntry(String(value)) === undefined) return [`is not a source of the catalogue (${SOURCES.join(', ')})`];
      return check ? check(value, config, context) : [];
    },
  };
}

/**
 * Why `kind` is not a kind the configured source publishes, or one the connector cannot read
 * (`readable` says why not); [] when it is. Problems of the source itself are the source field's.
 */
export function kindProblems(source: unknown, kind: string, readable?: (source: string, kind: string) => string | null): string[] {
  if (!isKind(kind)) return [`is not a kind of the catalogue`];
  if (typeof source !== 'string' || sourceEntry(source) === undefined) return [];
  if (!sourcePublishes(source, kind)) {
    return [`source ${source} does not publish ${kind} (it publishes ${Object.keys(sourceEntry(source)!.kinds).join(', ')})`];
  }
  const problem = readable?.(source, kind) ?? null;
  return problem === null ? [] : [problem];
}
