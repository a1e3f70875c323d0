/**
 * `truc agency-credentials <agency> [--rotate]`: issues an agency listed in the access file its
 * Kafka login on the local stack (SCRAM user `agency-<id>` that may read only `out.<agency>.*` with
 * consumer groups `<agency>.*`) and a schema registry reader credential to decode those topics'
 * Avro, and prints both once.
 */
import { randomBytes } from 'node:crypto';
import { agencyRegistryUser } from '../../infra/stack/agency-access.ts';
import { agenciesWithAcls, agencyBootstrap, grantAgency } from '../../infra/stack/kafka-broker.ts';
import { caFile } from '../../infra/stack/kafka-security.ts';
import { AccessFileError, loadAccessPolicy } from '../platform/access.ts';
import { loadConfig } from '../platform/config.ts';
import { addRegistryCredential, RegistryCredentialsError } from '../schema-registry/credentials.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

const HELP = `usage: truc agency-credentials <agency> [--rotate]

Issues <agency> (listed in the access file, "agencies") its login to the local stack's Kafka:
a SCRAM-SHA-512 user agency-<agency> that may read only the topics out.<agency>.* with consumer
groups named <agency>.*, on the agency listener (SASL_SSL); and a schema registry reader
credential to decode those topics' Avro. Prints both once, as client properties; they are not
stored in clear anywhere.
  --rotate    the agency already has a login: replace it (its old Kafka password and registry
              passwords stop working at once)
An agency removed from the access file loses both within seconds while npm start runs, or at its
next start (KAFKA_MANAGE_AGENCY_ACCESS).
`;

export const AGENCY_CREDENTIALS_COMMAND: Command = {
  name: 'agency-credentials',
  summary: "issue or rotate an agency's Kafka login and schema registry reader credential",
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { rotate: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name exactly one agency');
    const agency = positionals[0]!;
    const config = loadConfig();
    const fail = (message: string) => {
      process.stderr.write(`truc agency-credentials: ${message}\n`);
      return 1;
    };
    try {
      if (loadAccessPolicy(config.api.accessFile).agency(agency) === undefined) {
        return fail(`${JSON.stringify(agency)} is not an agency of the access file ${config.api.accessFile}; add it there first`);
      }
    } catch (error) {
      if (error instanceof AccessFileError) return fail(error.message);
      throw error;
    }
    const holders = await agenciesWithAcls(config);
    if (holders === null) return fail(`the broker at ${config.kafka.brokers.map((b) => `${b.host}:${b.port}`).join(',')} was not secured by this stack (no ${config.kafka.localCredentialsFile})`);
    if (holders.includes(agency) && !values.rotate) return fail(`${agency} already has a Kafka login; --rotate replaces it`);
    let userInfo: string;
    try {
      // The registry credential first: a refusal there leaves the Kafka login as it was.
      userInfo = addRegistryCredential(config.schemaRegistry.credentialsFile, { user: agencyRegistryUser(agency), role: 'reader', replace: true });
    } catch (error) {
      if (error instanceof RegistryCredentialsError) return fail(error.message);
      throw error;
    }
    const login = (await grantAgency(config, agency, randomBytes(24).toString('base64url')))!;
    process.stderr.write(`${agency}: Kafka login and schema registry reader credential issued; the passwords are shown only now:\n`);
    process.stdout.write(
      [
        `bootstrap.servers=${agencyBootstrap(config)}`,
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        `sasl.username=${login.username}`,
        `sasl.password=${login.password}`,
        `ssl.ca.location=${caFile(config)}`,
        `schema.registry.url=${config.schemaRegistry.url}`,
        `basic.auth.user.info=${userInfo}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
