/**
 * Authentication and authorisation of the local Kafka, as on a production cluster: SASL/SCRAM-SHA-512
 * on the client listener (Truc's services) and on the agency-facing listener (over TLS), KRaft's
 * StandardAuthorizer denying whatever no ACL allows. Credentials, CA and broker certificate are made
 * on first start and kept in the data folder (outside the Kafka storage, so `--reset` keeps them).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import kafkajs, { type AclEntry } from 'kafkajs';
import { REPO_ROOT, type BrokerAddress, type Config, type SaslCredentials } from '../../services/platform/config.ts';
import { readLocalKafkaCredentials, type LocalKafkaCredentials } from '../../services/platform/kafka-credentials.ts';

// kafkajs assigns these enums in a way Node's CommonJS export detection misses, so they come from its default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
type AclOperation = (typeof AclOperationTypes)[keyof typeof AclOperationTypes];

const SCRAM = 'SCRAM-SHA-512';

function secret(): string {
  // base64url: no character that SCRAM's `[name=…,password=…]` syntax or a JAAS string would need escaped.
  return randomBytes(24).toString('base64url');
}

function scram(username: string): SaslCredentials {
  return { mechanism: 'scram-sha-512', username, password: secret() };
}

/** The local credentials file's credentials, made on first start. */
export function ensureLocalKafkaCredentials(file: string): LocalKafkaCredentials {
  const existing = readLocalKafkaCredentials(file);
  if (existing) return existing;
  const credentials: LocalKafkaCredentials = {
    admin: scram('truc-admin'),
    services: scram('truc-services'),
    ingest: scram('truc-ingest'),
    controller: { username: 'truc-controller', password: secret() },
    keystorePassword: secret(),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return credentials;
}

/** `kafka-storage format` arguments that create the SCRAM users the broker needs before anyone can log in. */
export function formatScramArguments(credentials: LocalKafkaCredentials): string[] {
  return [credentials.admin, credentials.services, credentials.ingest].flatMap((user) => [
    '--add-scram',
    `${SCRAM}=[name=${user.username},password=${user.password}]`,
  ]);
}

export interface BrokerTls {
  keystore: string;
  /** The CA certificate (PEM) agencies' clients trust. */
  caFile: string;
}

function tlsFolder(config: Config): string {
  return path.join(config.dataDir, 'kafka-tls');
}

export function caFile(config: Config): string {
  return path.join(tlsFolder(config), 'ca.pem');
}

function keytool(args: string[]): void {
  const binary = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/keytool') : 'keytool';
  execFileSync(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A local CA and a broker certificate it signs (for 127.0.0.1 and localhost), made once with the
 * JDK's keytool: the broker's PKCS#12 key store and the CA's PEM for clients. `renew`: made again
 * (new credentials come with a new key store password).
 */
export function ensureBrokerTls(config: Config, credentials: LocalKafkaCredentials, renew: boolean): BrokerTls {
  const folder = tlsFolder(config);
  const keystore = path.join(folder, 'broker.p12');
  const ca = caFile(config);
  if (!renew && existsSync(keystore) && existsSync(ca)) return { keystore, caFile: ca };
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const caStore = path.join(folder, 'ca.p12');
  const request = path.join(folder, 'broker.csr');
  const signed = path.join(folder, 'broker.pem');
  const pass = credentials.keystorePassword;
  const san = 'SAN=ip:127.0.0.1,dns:localhost';
  const common = ['-storetype', 'PKCS12', '-storepass', pass, '-keypass', pass, '-keyalg', 'RSA', '-keysize', '2048'];
  keytool(['-genkeypair', '-alias', 'ca', '-dname', 'CN=Truc local Kafka CA', '-ext', 'bc:c=ca:true', '-ext', 'ku:c=keyCertSign,cRLSign', '-validity', '3650', '-keystore', caStore, ...common]);
  keytool(['-exportcert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-storepass', pass, '-file', ca]);
  keytool(['-genkeypair', '-alias', 'broker', '-dname', 'CN=localhost', '-validity', '825', '-keystore', keystore, ...common]);
  keytool(['-certreq', '-alias', 'broker', '-keystore', keystore, '-storepass', pass, '-file', request]);
  keytool(['-gencert', '-rfc', '-alias', 'ca', '-keystore', caStore, '-storepass', pass, '-infile', request, '-outfile', signed,
    '-validity', '825', '-ext', san, '-ext', 'ku:c=digitalSignature,keyEncipherment', '-ext', 'eku=serverAuth']);
  // The broker presents its certificate with the chain: the CA first, then the signed reply under the key's alias.
  keytool(['-importcert', '-noprompt', '-alias', 'ca', '-keystore', keystore, '-storepass', pass, '-file', ca]);
  keytool(['-importcert', '-noprompt', '-alias', 'broker', '-keystore', keystore, '-storepass', pass, '-file', signed]);
  rmSync(request);
  rmSync(signed);
  for (const file of [caStore, keystore]) chmodSync(file, 0o600);
  return { keystore, caFile: ca };
}

function jaasScram(user?: SaslCredentials): string {
  const login = user ? ` username="${user.username}" password="${user.password}"` : '';
  return `org.apache.kafka.common.security.scram.ScramLoginModule required${login};`;
}

/**
 * server.properties lines of the three listeners: CLIENT (SASL/SCRAM, Truc's services and the broker
 * itself), AGENCY (SASL/SCRAM over TLS) and CONTROLLER (SASL/PLAIN with its one JAAS user, so the
 * controller port is no anonymous way around the authorizer).
 */
export function securityProperties(options: {
  host: string;
  broker: BrokerAddress;
  controllerPort: number;
  agencyPort: number;
  /** The controller quorum: `id@host:port` of every controller. */
  voters: string;
  credentials: LocalKafkaCredentials;
  tls: BrokerTls;
}): string[] {
  const { host, broker, credentials, tls } = options;
  const controller = `${host}:${options.controllerPort}`;
  const { username: controllerUser, password: controllerPassword } = credentials.controller;
  return [
    `controller.quorum.voters=${options.voters}`,
    `listeners=CLIENT://${host}:${broker.port},AGENCY://${host}:${options.agencyPort},CONTROLLER://${controller}`,
    `advertised.listeners=CLIENT://${host}:${broker.port},AGENCY://${host}:${options.agencyPort}`,
    'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,AGENCY:SASL_SSL,CONTROLLER:SASL_PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=CLIENT',
    `sasl.mechanism.inter.broker.protocol=${SCRAM}`,
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.client.sasl.enabled.mechanisms=${SCRAM}`,
    `listener.name.agency.sasl.enabled.mechanisms=${SCRAM}`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.client.scram-sha-512.sasl.jaas.config=${jaasScram(credentials.admin)}`,
    `listener.name.agency.scram-sha-512.sasl.jaas.config=${jaasScram()}`,
    'listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ' +
      `username="${controllerUser}" password="${controllerPassword}" user_${controllerUser}="${controllerPassword}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found=false',
    `super.users=User:${credentials.admin.username};User:${controllerUser}`,
    `ssl.keystore.location=${tls.keystore}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.password=${credentials.keystorePassword}`,
    `ssl.key.password=${credentials.keystorePassword}`,
    'ssl.client.auth=none',
  ];
}

/** Properties of a Java admin client logged in as the bootstrap administrator (ConfigCommand, operators' tools). */
export function adminClientProperties(credentials: LocalKafkaCredentials): string {
  return [
    'security.protocol=SASL_PLAINTEXT',
    `sasl.mechanism=${SCRAM}`,
    `sasl.jaas.config=${jaasScram(credentials.admin)}`,
    '',
  ].join('\n');
}

function allow(
  principal: string,
  resourceType: AclEntry['resourceType'],
  resourceName: string,
  resourcePatternType: AclEntry['resourcePatternType'],
  operations: AclOperation[],
): AclEntry[] {
  return operations.map((operation) => ({
    principal: `User:${principal}`,
    host: '*',
    resourceType,
    resourceName,
    resourcePatternType,
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/**
 * What Truc's services may do: create, read, write and describe the topics of the pipeline's own
 * prefixes, set the retention of the topics kept for a time (raw, canonical, dead letters, agency
 * topics, the audit topic: the stores of README "Retention", whose configuration every start
 * applies) and delete the records of those kept for a time but the audit (the sunset empties them;
 * Kafka's DeleteRecords needs the DELETE operation, which would also let a topic of them be
 * deleted: the audit topic and the internal ones stay out of reach), use the consumer groups and transactional ids of their own prefixes, and read the
 * brokers' settings — not agencies' consumer groups, nor ACLs, users, the brokers' settings or the
 * internal topics' settings.
 */
export function servicesAcls(config: Config, principal: string): AclEntry[] {
  const timedPrefixes = new Set(['raw.', 'canonical.', 'dlq.', 'out.', config.clickhouseSink.topicPrefix, config.fanout.canonicalTopicPrefix]);
  const topicPrefixes = new Set([...timedPrefixes, '_truc.']);
  const topics = new Set([config.schemaRegistry.topic, config.fanout.subscriptionsTopic, config.fanout.statusTopic, config.connect.configTopic, config.audit.topic]);
  const idPrefixes = new Set([`${config.kafka.clientId}-`, config.normalizer.groupId, config.clickhouseSink.groupId, config.fanout.groupPrefix]);
  const { TOPIC, GROUP, TRANSACTIONAL_ID, CLUSTER } = AclResourceTypes;
  const { PREFIXED, LITERAL } = ResourcePatternTypes;
  const { CREATE, READ, WRITE, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperationTypes;
  const onTopics = [CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS];
  return [
    ...[...topicPrefixes].flatMap((prefix) => allow(principal, TOPIC, prefix, PREFIXED, onTopics)),
    ...[...timedPrefixes].flatMap((prefix) => allow(principal, TOPIC, prefix, PREFIXED, [ALTER_CONFIGS, DELETE])),
    ...allow(principal, TOPIC, config.audit.topic, LITERAL, [ALTER_CONFIGS]),
    ...[...topics].flatMap((topic) => allow(principal, TOPIC, topic, LITERAL, onTopics)),
    ...[...idPrefixes].flatMap((prefix) => [
      // DELETE: the registry and the topic readers remove their short-lived groups when they close.
      ...allow(principal, GROUP, prefix, PREFIXED, [READ, DESCRIBE, DELETE]),
      ...allow(principal, TRANSACTIONAL_ID, prefix, PREFIXED, [WRITE, DESCRIBE]),
    ]),
    ...allow(principal, CLUSTER, 'kafka-cluster', LITERAL, [DESCRIBE_CONFIGS, IDEMPOTENT_WRITE]),
  ];
}

/** HTTP ingest's producer writes (idempotently) to raw topics, and nothing else: no reads, no other topic. */
export function ingestAcls(principal: string): AclEntry[] {
  const { WRITE, DESCRIBE, IDEMPOTENT_WRITE } = AclOperationTypes;
  return [
    ...allow(principal, AclResourceTypes.TOPIC, 'raw.', ResourcePatternTypes.PREFIXED, [WRITE, DESCRIBE]),
    ...allow(principal, AclResourceTypes.CLUSTER, 'kafka-cluster', ResourcePatternTypes.LITERAL, [IDEMPOTENT_WRITE]),
  ];
}

/** The Kafka principal of an agency. */
export function agencyPrincipal(agency: string): string {
  return `agency-${agency}`;
}

/** An agency reads its own topics `out.<agency>.*` with consumer groups named `<agency>.*`; nothing else. */
export function agencyAcls(agency: string): AclEntry[] {
  const principal = agencyPrincipal(agency);
  return [
    ...allow(principal, AclResourceTypes.TOPIC, `out.${agency}.`, ResourcePatternTypes.PREFIXED, [AclOperationTypes.READ, AclOperationTypes.DESCRIBE]),
    ...allow(principal, AclResourceTypes.GROUP, `${agency}.`, ResourcePatternTypes.PREFIXED, [AclOperationTypes.READ]),
  ];
}

export interface ConfigCommandTarget {
  classpath: string;
  bootstrap: string;
  /** Admin client properties (adminClientProperties) in a private file. */
  adminProperties: string;
}

/** Kafka's own ConfigCommand on a SCRAM user (kafkajs lacks AlterUserScramCredentials). */
function alterUser(target: ConfigCommandTarget, username: string, change: string[], what: string): void {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
  try {
    execFileSync(
      java,
      ['-cp', target.classpath, `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'infra/kafka/log4j2.properties')}`, 'kafka.admin.ConfigCommand',
        '--bootstrap-server', target.bootstrap, '--command-config', target.adminProperties,
        '--alter', '--entity-type', 'users', '--entity-name', username, ...change],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not ${what} of Kafka user ${username}: ${stderr || (error as Error).message}`);
  }
}

/** A SCRAM user created or given a new password. */
export function setScramPassword(target: ConfigCommandTarget, username: string, password: string): void {
  // The password goes in a private file, not on a command line other users could read in /proc.
  const configFile = `${target.adminProperties}.scram-${randomBytes(6).toString('hex')}`;
  // In a file ConfigCommand takes `mechanism=password=…` (the bracketed form is for --add-config only).
  writeFileSync(configFile, `${SCRAM}=password=${password}\n`, { mode: 0o600 });
  try {
    alterUser(target, username, ['--add-config-file', configFile], 'set the SCRAM credential');
  } finally {
    rmSync(configFile, { force: true });
  }
}

/**
 * A SCRAM user's credential replaced by one of a random password nobody keeps: no new login
 * succeeds. Not deleted: Kafka 4.1.1 rebuilds its SCRAM users at start-up by replaying the metadata
 * log, and when the first user that replay visits is a deleted one it drops every user of the
 * mechanism (ScramDelta.apply tests for an empty map inside its loop), so after a restart every
 * login, the administrator's and the services' too, is refused. A log without deletions never
 * meets that path.
 */
export function disableScramCredential(target: ConfigCommandTarget, username: string): void {
  setScramPassword(target, username, randomBytes(32).toString('base64url'));
}
