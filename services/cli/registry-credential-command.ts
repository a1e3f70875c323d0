/**
 * `truc registry-credential <user>`: issues a password for a user of Truc's schema registry, adds
 * its hash to the credentials file the registry follows, and prints `user:password` once — the
 * value a client sets as `basic.auth.user.info` (or SCHEMA_REGISTRY_USER_INFO for Truc's own).
 */
import { loadConfig } from '../platform/config.ts';
import { addRegistryCredential, RegistryCredentialsError } from '../schema-registry/credentials.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

const HELP = `usage: truc registry-credential <user> [--reader] [--replace]

Issues a new password (256 random bits) for <user> of Truc's schema registry, adds its SHA-256 hash
to the credentials file (SCHEMA_REGISTRY_CREDENTIALS_FILE) and prints user:password once: give it to
the client as basic.auth.user.info. Running registries apply the change within seconds.
  --reader    the user may only read (default: a writer, which may also register, delete and
              change config and mode)
  --replace   drop the user's other passwords (ends a rotation; also needed to change a role)
To revoke a user, remove it from the file.
`;

export const REGISTRY_CREDENTIAL_COMMAND: Command = {
  name: 'registry-credential',
  summary: "issue a reader or writer password for Truc's schema registry",
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { reader: { type: 'boolean' }, replace: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name exactly one user');
    const file = loadConfig().schemaRegistry.credentialsFile;
    try {
      const userInfo = addRegistryCredential(file, { user: positionals[0]!, role: values.reader ? 'reader' : 'writer', replace: values.replace === true });
      process.stderr.write(`added to ${file}; the password is shown only now:\n`);
      process.stdout.write(`${userInfo}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof RegistryCredentialsError)) throw error;
      process.stderr.write(`truc registry-credential: ${error.message}\n`);
      return 1;
    }
  },
};
