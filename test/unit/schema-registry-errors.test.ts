import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseUserInfo } from '../../services/platform/config.ts';
import { basicAuthorization } from '../../services/platform/registry-credentials.ts';
import { issueRegistryCredential, RegistryCredentials } from '../../services/schema-registry/credentials.ts';
import { errors, RegistryError, toErrorResponse } from '../../services/schema-registry/errors.ts';
import { Registry } from '../../services/schema-registry/registry.ts';
import { buildServer, CONTENT_TYPE } from '../../services/schema-registry/server.ts';
import type { RegistryStore } from '../../services/schema-registry/store.ts';

class KafkaJSConnectionError extends Error {
  override name = 'KafkaJSConnectionError';
}
class KafkaJSRequestTimeoutError extends Error {
  override name = 'KafkaJSRequestTimeoutError';
}

/** A store whose every operation fails the given way, as a store cut off from Kafka does. */
const failingStore = (error: Error): RegistryStore => ({
  read: async () => {
    throw error;
  },
  write: async () => {
    throw error;
  },
});

const writer = issueRegistryCredential('writer');
const credentials = new RegistryCredentials({ writers: { writer: [writer.hash] } });
const authorization = basicAuthorization(parseUserInfo(writer.userInfo)!);

const serverOn = (store: RegistryStore) =>
  buildServer({
    registry: new Registry(store),
    logger: pino({ level: 'silent' }),
    isReady: async () => false,
    authentication: { credentials: () => credentials, anonymousRead: false },
  });

describe('schema registry error mapping', () => {
  it('keeps registry errors as they are', () => {
    expect(toErrorResponse(errors.versionSoftDeleted('s', 2))).toEqual({
      status: 404,
      body: { error_code: 40406, message: expect.stringContaining("Subject 's' Version 2 was soft deleted") },
    });
    expect(toErrorResponse(errors.incompatibleSchema('s', ['x'])).status).toBe(409);
  });

  it('maps Kafka failures to 50001 and Kafka timeouts to 50002', () => {
    expect(toErrorResponse(new KafkaJSConnectionError('Connection refused'))).toEqual({
      status: 500,
      body: { error_code: 50001, message: 'Error in the backend data store - Connection refused' },
    });
    expect(toErrorResponse(new KafkaJSRequestTimeoutError('Request timed out')).body.error_code).toBe(50002);
    expect(toErrorResponse(new Error('boom'))).toEqual({ status: 500, body: { error_code: 500, message: 'Internal Server Error' } });
  });

  it('answers 50002 when the log cannot be read in time and 50001 when Kafka fails', async () => {
    const timedOut = serverOn(failingStore(errors.timeout('reading the schemas log')));
    const response = await timedOut.inject({ method: 'GET', url: '/subjects', headers: { authorization } });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe(CONTENT_TYPE);
    expect(response.json()).toEqual({ error_code: 50002, message: 'Operation timed out - reading the schemas log' });

    const broken = serverOn(failingStore(new KafkaJSConnectionError('Connection refused')));
    const write = await broken.inject({
      method: 'POST',
      url: '/subjects/s/versions',
      headers: { 'content-type': CONTENT_TYPE, authorization },
      payload: JSON.stringify({ schema: '"string"' }),
    });
    expect(write.statusCode).toBe(500);
    expect(write.json().error_code).toBe(50001);

    const health = await broken.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    await Promise.all([timedOut.close(), broken.close()]);
  });

  it('rejects malformed bodies and unknown routes in Confluent shape', async () => {
    const app = serverOn(failingStore(new Error('unused')));
    const badJson = await app.inject({ method: 'POST', url: '/subjects/s/versions', headers: { 'content-type': 'application/json', authorization }, payload: '{"schema":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error_code).toBe(400);
    const text = await app.inject({ method: 'POST', url: '/subjects/s/versions', headers: { 'content-type': 'text/plain', authorization }, payload: 'x' });
    expect(text.statusCode).toBe(415);
    expect(text.json().error_code).toBe(415);
    const missing = await app.inject({ method: 'GET', url: '/no/such/route', headers: { authorization } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error_code: 404, message: 'HTTP 404 Not Found' });
    await app.close();
  });

  it('is an Error carrying status and code', () => {
    const error = errors.invalidVersion('0');
    expect(error).toBeInstanceOf(RegistryError);
    expect([error.status, error.errorCode]).toEqual([422, 42202]);
  });
});
