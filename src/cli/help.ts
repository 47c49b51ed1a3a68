/**
 * Help text, to the standard of gh and gcloud: the environment and the exit codes once, in the
 * top-level help; on every command its required options in their own group (and in the usage
 * line) and its examples; `entitlements help <command> [<subcommand>]` for any depth.
 */
import type { Command } from 'commander';
import { exitCodeHelp } from './exit-codes.ts';

export const ENVIRONMENT_HELP = `Environment (flags override):
  CONFLUENT_API_KEY, CONFLUENT_API_SECRET  Confluent Cloud API key and its secret (both, or neither)
  CONFLUENT_PARTNER_TOKEN                  Confluent partner OAuth bearer token (instead of an API key)
  CONFLUENT_BASE_URL                       Confluent API base URL (--base-url; default https://api.confluent.cloud)
  GOOGLE_APPLICATION_CREDENTIALS           Google service account key file (Application Default Credentials,
                                           scope https://www.googleapis.com/auth/apps.order)
  CLOUD_CHANNEL_EMULATOR_HOST              host:port of a Cloud Channel emulator, plain text (--endpoint --insecure)
  CLOUD_CHANNEL_TRANSPORT                  grpc (default) or rest (--transport)
  NO_COLOR, FORCE_COLOR                    colors off / on (default: on for a terminal)
Secrets never appear in the output: credentials in error text are replaced by [REDACTED].`;

export const REQUIRED_GROUP = 'Required options:';

const EXAMPLES = new WeakMap<Command, readonly string[]>();

/** Adds an "Examples:" section to a command's help; each line is a command line, `#` lines are comments. */
export function examples(command: Command, lines: readonly string[]): Command {
  EXAMPLES.set(command, lines);
  return command.addHelpText(
    'after',
    `\nExamples:\n${lines.map((line) => (line.startsWith('#') ? `  ${line}` : `  $ ${line}`)).join('\n')}`,
  );
}

/** The examples given to a command (for tests: every command has some). */
export function examplesOf(command: Command): readonly string[] {
  return EXAMPLES.get(command) ?? [];
}

/** Every command below `program`, depth first. */
export function allCommands(program: Command): Command[] {
  return program.commands.flatMap((command) => [command, ...allCommands(command)]);
}

/** The argument terms of a command's usage line: `<token>`, `[file]`, `<names...>`. */
function argumentTerms(command: Command): string[] {
  return command.registeredArguments.map((argument) => {
    const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
    return argument.required ? `<${name}>` : `[${name}]`;
  });
}

/**
 * Once every command is registered: required options get their own help group and open the usage
 * line (`--parent <customer> --offer <offer> [options]`), the top-level help gets the environment
 * and the exit codes, and every other command a pointer to them.
 */
export function finishHelp(program: Command): void {
  program.addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${exitCodeHelp()}`);
  for (const command of allCommands(program)) {
    const required = command.options.filter((option) => option.mandatory);
    for (const option of required)
      if (option.helpGroupHeading === undefined) option.helpGroup(REQUIRED_GROUP);
    if (required.length > 0 && command.commands.length === 0)
      command.usage(
        [...required.map((option) => option.flags), '[options]', ...argumentTerms(command)].join(' '),
      );
    command.addHelpText('after', '\nEnvironment variables and exit codes: entitlements --help');
  }
}

/**
 * `help create confluent` means `create confluent --help` (commander's own help command stops at
 * the first level). Global flags may come first: `--json help create`. `topics` is the command
 * path asked for, to check that it exists (`unknownTopic`).
 */
export function rewriteHelpCommand(args: readonly string[]): { args: string[]; topics: string[] } {
  const index = args.findIndex((arg) => !arg.startsWith('-'));
  if (index === -1 || args[index] !== 'help') return { args: [...args], topics: [] };
  const rest = args.slice(index + 1);
  const end = rest.indexOf('--');
  const topics = (end === -1 ? rest : rest.slice(0, end)).filter((arg) => !arg.startsWith('-'));
  return { args: [...args.slice(0, index), ...topics, '--help'], topics };
}

/** The first word of a help topic path that names no command (`help create frobnicate`). */
export function unknownTopic(program: Command, topics: readonly string[]): string | undefined {
  let command = program;
  for (const topic of topics) {
    const next = command.commands.find((sub) => sub.name() === topic || sub.aliases().includes(topic));
    if (!next) return topic;
    command = next;
  }
  return undefined;
}
