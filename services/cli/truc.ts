#!/usr/bin/env node
/**
 * `truc`, Truc's command line: `node services/cli/truc.ts <command> [options]`. A small dispatcher;
 * each command lives in its own module and is listed here.
 */
import { AGENCY_CREDENTIALS_COMMAND } from './agency-credentials-command.ts';
import { ANALYST_PASSWORD_COMMAND } from './analyst-password-command.ts';
import { AUDIT_COMMAND } from './audit-command.ts';
import { CATALOGUE_COMMAND } from './catalogue-command.ts';
import { UsageError, type Command } from './command.ts';
import { DLQ_COMMAND } from './dlq-command.ts';
import { GENERATE_COMMAND } from './generate-command.ts';
import { MIGRATE_COMMAND } from './migrate-command.ts';
import { REGISTRY_CREDENTIAL_COMMAND } from './registry-credential-command.ts';
import { SQL_COMMAND } from './sql-command.ts';
import { SUNSET_COMMAND } from './sunset-command.ts';
import { STATUS_COMMAND } from './status-command.ts';

const COMMANDS: readonly Command[] = [
  CATALOGUE_COMMAND,
  GENERATE_COMMAND,
  DLQ_COMMAND,
  STATUS_COMMAND,
  MIGRATE_COMMAND,
  SQL_COMMAND,
  REGISTRY_CREDENTIAL_COMMAND,
  ANALYST_PASSWORD_COMMAND,
  AGENCY_CREDENTIALS_COMMAND,
  AUDIT_COMMAND,
  SUNSET_COMMAND,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `usage: truc <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun truc <command> --help for a command's options.\n`;
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(name === undefined ? usage() : `truc: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`truc ${command.name}: ${error.message}\nRun truc ${command.name} --help for its options.\n`);
    return 2;
  }
}

// A reader that stops early (`truc generate | head`) closes the pipe: that is the end, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`truc: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
