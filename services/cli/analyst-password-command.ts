/**
 * `truc analyst-password`: the hash of an analyst's password, for the access file's "analysts"
 * section. The password is read from stdin (never an argument, which shell history and `ps` keep).
 */
import { readFileSync } from 'node:fs';
import { hashPassword } from '../platform/password-hash.ts';
import { UsageError, parseCommandArgs, type Command } from './command.ts';

const HELP = `usage: printf '%s' "$PASSWORD" | truc analyst-password

Prints the salted scrypt hash of the password read from stdin (one trailing newline is dropped),
to add to "analysts": { "<name>": { "passwords": ["<hash>", ...] } } in the access file.
Passwords must be at least 12 characters.
`;

export const ANALYST_PASSWORD_COMMAND: Command = {
  name: 'analyst-password',
  summary: 'hash an analyst\'s password (from stdin) for the access file',
  async run(args) {
    const { values } = parseCommandArgs({ args, options: { help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (password.length < 12) throw new UsageError('the password (from stdin) must be at least 12 characters');
    process.stdout.write(`${await hashPassword(password)}\n`);
    return 0;
  },
};
