import { describe, expect, it } from 'vitest';
import { up, status } from '../../infra/stack/stack.ts';
import { registryHeaders } from '../../services/platform/registry-credentials.ts';
import { testConfig } from '../support/kafka.ts';

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
});
