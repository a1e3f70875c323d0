/** The stack's readiness wait: it says why a component never became ready, not only that it did not. */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../infra/stack/processes.ts';

describe('waitUntil', () => {
  it('returns once the check holds', async () => {
    let calls = 0;
    await waitUntil('thing', async () => ++calls >= 2, { timeoutMs: 5_000 });
    expect(calls).toBe(2);
  });

  it("gives up with the check's last refusal, so a refused login does not read as a slow start", async () => {
    await expect(
      waitUntil('Kafka at 127.0.0.1:9092', async () => {
        throw new Error('SASL SCRAM SHA512 authentication failed');
      }, { timeoutMs: 300 }),
    ).rejects.toThrow('Kafka at 127.0.0.1:9092 did not become ready within 300 ms (last answer: SASL SCRAM SHA512 authentication failed)');
  });

  it('says nothing more when the check only answered "not yet"', async () => {
    await expect(waitUntil('registry', async () => false, { timeoutMs: 300 })).rejects.toThrow(/^registry did not become ready within 300 ms$/);
  });
});
