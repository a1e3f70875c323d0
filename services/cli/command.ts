/**
 * What a `truc` subcommand is: a name, a one-line summary for `truc --help`, and a run function
 * taking the arguments after the command name and returning the exit code.
 */

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
