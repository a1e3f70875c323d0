/**
 * What a `truc` subcommand is: a name, a one-line summary for `truc --help`, and a run function
 * taking the arguments after the command name and returning the exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Bad command-line usage: the dispatcher prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `parseArgs` whose refusals (an unknown option, a missing value) are usage errors, not crashes. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
