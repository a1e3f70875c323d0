/**
 * The instances a deployment starts with: the checkpoint-ops drop folder (FILE_CONNECTOR_*) and,
 * when POLL_CONNECTOR_URL is set, the hotline-1022 poller (POLL_CONNECTOR_*). Each is written to
 * the connector store once: on the first start with it configured (so setting POLL_CONNECTOR_URL
 * later still adds the poller), with the name that keys its offsets, so a deployment that ran it
 * before keeps its offsets. From then on it is an instance like any other, changed or deleted
 * through the API (a deleted one is not made again).
 */
import path from 'node:path';
import type { Config } from '../services/platform/config.ts';
import type { ConnectorConfig } from './runtime/config-spec.ts';

export interface DefaultInstance {
  name: string;
  type: string;
  config: ConnectorConfig;
}

export function defaultInstances(config: Config): DefaultInstance[] {
  const { fileConnector: file, pollConnector: poll } = config;
  const instances: DefaultInstance[] = [
    {
      name: file.name,
      type: 'file',
      config: {
        source: 'checkpoint-ops',
        csvKind: 'checkpoint',
        jsonKind: 'checkpoint-passage',
        folder: path.relative(config.connect.dropRoot, file.dropDir),
        pollIntervalMs: file.pollIntervalMs,
        batchRecords: file.batchRecords,
      },
    },
  ];
  if (poll.url !== null) {
    instances.push({
      name: poll.name,
      type: 'http-poll',
      config: {
        source: 'hotline-1022',
        kind: 'citizen-report',
        url: poll.url,
        token: poll.token,
        intervalMs: poll.intervalMs,
        pageSize: poll.pageSize,
        timeoutMs: poll.timeoutMs,
      },
    });
  }
  return instances;
}
