/**
 * `node services/api/main.ts`: the HTTP API with the ingest connector on its own (no pull
 * connectors), for deployments that scale ingest separately, and for benchmarks.
 */
import { runStandalone } from '../platform/standalone.ts';
import { startApi } from './api-service.ts';

await runStandalone('api', (config, logger) => startApi({ config, logger }));
