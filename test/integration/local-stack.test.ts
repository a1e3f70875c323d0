import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminPropertiesFile, localCredentialsFile, startKafka } from '../../infra/stack/kafka-broker.ts';
import { up, status } from '../../infra/stack/stack.ts';
import { registryHeaders } from '../../services/platform/registry-credentials.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { testConfig } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

// The run's stack is up (global set-up); these check that `up` is idempotent and `status` true.
describe.runIf((process.env.TRUC_TEST_STACK ?? 'native') === 'native')('local stack', () => {
  const config = testConfig();

  it('reports both components serving', async () => {
    const components = await status(config);
    expect(components.map((c) => [c.name, c.serving])).toEqual([
      ['kafka', true],
      ['schema-registry', true],
    ]);
  });

  it("admits Truc's registry credentials, handed to the workers by the set-up", async () => {
    const response = await fetch(`${config.schemaRegistry.url}/config`, { headers: registryHeaders(config.schemaRegistry) });
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('compatibilityLevel');
  });

  it('starts nothing when everything already serves', async () => {
    const result = await up(config);
    expect(result.started).toEqual([]);
    expect(result.status.every((c) => c.serving)).toBe(true);
  });

  it('keeps the Kafka credentials and the files holding them readable by their owner only', () => {
    for (const file of [localCredentialsFile(config), path.join(config.dataDir, 'kafka/server.properties'), adminPropertiesFile(config)]) {
      expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    }
  });

  it('refuses Kafka storage formatted without credentials, saying how to start afresh', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'truc-old-kafka-'));
    try {
      // What a Truc from before Kafka authentication left: formatted storage, no credentials file.
      mkdirSync(path.join(dataDir, 'kafka/data'), { recursive: true });
      writeFileSync(path.join(dataDir, 'kafka/data/meta.properties'), 'version=1\n');
      const old = loadConfig({ ...process.env, TRUC_DATA_DIR: dataDir, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
      await expect(startKafka(old, async () => {})).rejects.toThrow(/formatted before Kafka required authentication.*npm start -- --reset/);
      // …and it made no credentials that would let a second attempt start a broker nobody can log in to.
      await expect(startKafka(old, async () => {})).rejects.toThrow(/formatted before Kafka required authentication/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
