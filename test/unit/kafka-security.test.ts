import { describe, expect, it } from 'vitest';
import { agencyAcls, formatScramArguments, ingestAcls, securityProperties, servicesAcls } from '../../infra/stack/kafka-security.ts';
import { loadConfig } from '../../services/platform/config.ts';
import type { LocalKafkaCredentials } from '../../services/platform/kafka-credentials.ts';

const credentials: LocalKafkaCredentials = {
  admin: { mechanism: 'scram-sha-512', username: 'truc-admin', password: 'admin-pw' },
  services: { mechanism: 'scram-sha-512', username: 'truc-services', password: 'services-pw' },
  ingest: { mechanism: 'scram-sha-512', username: 'truc-ingest', password: 'ingest-pw' },
  controller: { username: 'truc-controller', password: 'controller-pw' },
  keystorePassword: 'store-pw',
};

/** Operation and resource names of kafkajs' ACL codes, so expectations read as Kafka's words. */
const OPERATION = ['UNKNOWN', 'ANY', 'ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'];
const RESOURCE = ['UNKNOWN', 'ANY', 'TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID'];
const PATTERN = ['UNKNOWN', 'ANY', 'MATCH', 'LITERAL', 'PREFIXED'];

function readable(acls: ReturnType<typeof agencyAcls>): string[] {
  return acls.map((acl) => `${acl.principal} ${OPERATION[acl.operation]} ${RESOURCE[acl.resourceType]} ${PATTERN[acl.resourcePatternType]} ${acl.resourceName}`);
}

describe('Kafka security of the local stack', () => {
  it('lets an agency read its own topics and groups, and nothing else', () => {
    expect(readable(agencyAcls('cdc-hanoi'))).toEqual([
      'User:agency-cdc-hanoi READ TOPIC PREFIXED out.cdc-hanoi.',
      'User:agency-cdc-hanoi DESCRIBE TOPIC PREFIXED out.cdc-hanoi.',
      'User:agency-cdc-hanoi READ GROUP PREFIXED cdc-hanoi.',
    ]);
  });

  it("keeps the services principal to the pipeline's names, with no say over ACLs, users or settings", () => {
    const acls = readable(servicesAcls(loadConfig({}), 'truc-services'));
    expect(acls.filter((acl) => acl.includes(' CLUSTER '))).toEqual([
      'User:truc-services DESCRIBE_CONFIGS CLUSTER LITERAL kafka-cluster',
      'User:truc-services IDEMPOTENT_WRITE CLUSTER LITERAL kafka-cluster',
    ]);
    const topicAcls = acls.filter((acl) => acl.includes(' TOPIC '));
    expect([...new Set(topicAcls.map((acl) => acl.split(' ').slice(3).join(' ')))].sort()).toEqual(
      ['LITERAL _schemas', 'LITERAL _truc.connect-configs', 'LITERAL _truc.subscription-status', 'LITERAL _truc.subscriptions', 'LITERAL audit.disclosures', 'PREFIXED _truc.', 'PREFIXED canonical.', 'PREFIXED dlq.', 'PREFIXED out.', 'PREFIXED raw.'],
    );
    // Topics are made, read and written; settings change only on the topics kept for a time (their retention), and only
    // those but the audit may be emptied (DELETE: the sunset's DeleteRecords).
    expect([...new Set(topicAcls.map((acl) => acl.split(' ')[1]))].sort()).toEqual(['ALTER_CONFIGS', 'CREATE', 'DELETE', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'READ', 'WRITE']);
    expect(topicAcls.filter((acl) => acl.includes(' DELETE ')).map((acl) => acl.split(' ').slice(3).join(' ')).sort()).toEqual(
      ['PREFIXED canonical.', 'PREFIXED dlq.', 'PREFIXED out.', 'PREFIXED raw.'],
    );
    expect(topicAcls.filter((acl) => acl.includes(' ALTER_CONFIGS ')).map((acl) => acl.split(' ').slice(3).join(' ')).sort()).toEqual(
      ['LITERAL audit.disclosures', 'PREFIXED canonical.', 'PREFIXED dlq.', 'PREFIXED out.', 'PREFIXED raw.'],
    );
    // Every group and transactional id of the services starts with truc-; none is an agency's `<id>.`.
    const names = acls.filter((acl) => / (GROUP|TRANSACTIONAL_ID) /.test(acl)).map((acl) => acl.split(' ').at(-1));
    expect(names.every((name) => name!.startsWith('truc-'))).toBe(true);
  });

  it('lets ingest write raw topics and nothing else', () => {
    expect(readable(ingestAcls('truc-ingest'))).toEqual([
      'User:truc-ingest WRITE TOPIC PREFIXED raw.',
      'User:truc-ingest DESCRIBE TOPIC PREFIXED raw.',
      'User:truc-ingest IDEMPOTENT_WRITE CLUSTER LITERAL kafka-cluster',
    ]);
  });

  it('authenticates every listener and denies what no ACL allows', () => {
    const lines = securityProperties({
      host: '127.0.0.1',
      broker: { host: '127.0.0.1', port: 9092 },
      controllerPort: 9093,
      agencyPort: 9094,
      voters: '1@127.0.0.1:9093',
      credentials,
      tls: { keystore: '/data/kafka-tls/broker.p12', caFile: '/data/kafka-tls/ca.pem' },
    });
    expect(lines).toContain('controller.quorum.voters=1@127.0.0.1:9093');
    expect(lines).toContain('listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,AGENCY:SASL_SSL,CONTROLLER:SASL_PLAINTEXT');
    expect(lines).toContain('authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(lines).toContain('allow.everyone.if.no.acl.found=false');
    expect(lines).toContain('super.users=User:truc-admin;User:truc-controller');
    expect(lines.join('\n')).not.toMatch(/PLAINTEXT:PLAINTEXT|ANONYMOUS/);
  });

  it('creates the administrator and the services principal when the storage is formatted', () => {
    expect(formatScramArguments(credentials)).toEqual([
      '--add-scram', 'SCRAM-SHA-512=[name=truc-admin,password=admin-pw]',
      '--add-scram', 'SCRAM-SHA-512=[name=truc-services,password=services-pw]',
      '--add-scram', 'SCRAM-SHA-512=[name=truc-ingest,password=ingest-pw]',
    ]);
  });
});
