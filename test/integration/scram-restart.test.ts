/**
 * Logins survive a broker restart after an agency was revoked. Kafka 4.1.1 rebuilds its SCRAM users
 * at start-up by replaying the metadata log, and drops every user of the mechanism when the first
 * user its loop visits was deleted (README, "Notes for developers"). The agency here is named so its
 * principal comes first in that loop (bucket 0 of Java's HashMap, before `truc-ingest`'s 1): had
 * the revocation deleted its SCRAM user, no login would succeed after the restart. On a Kafka of the
 * test's own, which it stops and starts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyListeners, grantAgency, revokeAgency } from '../../infra/stack/kafka-broker.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { privateKafka, type PrivateKafka } from '../support/private-kafka.ts';
import { caFile } from '../../infra/stack/kafka-security.ts';

const AGENCY = 'sunk-30';
const logger = createLogger('scram-restart', 'silent');

/** Java's String.hashCode spread as HashMap does, in a table of 16: the bucket the replay visits the name in. */
function hashMapBucket(name: string): number {
  let hash = 0;
  for (const char of name) hash = (Math.imul(31, hash) + char.charCodeAt(0)) | 0;
  return (hash ^ (hash >>> 16)) & 15;
}

describe('SCRAM logins across a broker restart', () => {
  let kafka: PrivateKafka;

  beforeAll(async () => {
    kafka = await privateKafka();
  }, 180_000);
  afterAll(async () => {
    await kafka?.destroy();
  });

  it("keeps every login after an agency's revocation and a restart, and the revoked agency's refused", async () => {
    // The premise: the agency's principal is visited before every user the stack made.
    expect(hashMapBucket(`agency-${AGENCY}`)).toBeLessThan(Math.min(...['truc-admin', 'truc-services', 'truc-ingest'].map(hashMapBucket)));
    const login = (await grantAgency(kafka.config, AGENCY, randomBytes(18).toString('base64url')))!;
    await revokeAgency(kafka.config, AGENCY);
    await kafka.stop();
    // Waits until the services' login answers (the stack's own readiness check).
    await kafka.start();

    const admin = createKafka(kafka.config.kafka, logger, 'scram-restart').admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const agency = createKafka(
      { ...kafka.config.kafka, brokers: agencyListeners(kafka.config), ssl: true, caFile: caFile(kafka.config), sasl: login, localCredentialsFile: null },
      logger,
      'scram-restart-agency',
    ).admin({ retry: { retries: 0 } });
    await expect(agency.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
  }, 300_000);
});
