/**
 * The pull connector types a deployment offers, with the settings they take from its configuration.
 */
import { fileConnectorType } from './file/file-connector-type.ts';
import { pollConnectorType } from './http-poll/poll-connector-type.ts';
import type { ConnectorType } from './runtime/connector-type.ts';
import type { Config } from '../services/platform/config.ts';

export function connectorTypes(config: Config): ReadonlyMap<string, ConnectorType> {
  const pollHost = config.pollConnector.url === null ? [] : [new URL(config.pollConnector.url).hostname.replace(/^\[|\]$/g, '').toLowerCase()];
  return new Map(
    [fileConnectorType({ dropRoot: config.connect.dropRoot }), pollConnectorType({ allowHosts: [...config.connect.pollAllowHosts, ...pollHost] })].map((type) => [type.name, type]),
  );
}
