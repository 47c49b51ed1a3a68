/**
 * The `entitlements` command line: commander parses, the commands run, and every outcome becomes
 * an exit code (exit-codes.ts). Nothing here calls process.exit: `run` returns the code, and the
 * process ends by itself once every emulator, client and timer is closed.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.ts';
import { registerCreate } from './commands/create.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerGet } from './commands/get.ts';
import { registerStatus } from './commands/status.ts';
import { registerWait } from './commands/wait.ts';
import { EXIT, exitCodeFor, exitCodeHelp } from './exit-codes.ts';
import type { GlobalFlags } from './options.ts';
import { Output } from './output.ts';

export const ENVIRONMENT_HELP = `Environment (read through the library's facade; flags override):
  CONFLUENT_API_KEY, CONFLUENT_API_SECRET  Confluent Cloud API key and secret
  CONFLUENT_PARTNER_TOKEN                  Confluent partner OAuth bearer token (instead of a key)
  CONFLUENT_BASE_URL                       Confluent API base URL (--base-url; default https://api.confluent.cloud)
  GOOGLE_APPLICATION_CREDENTIALS           Google credentials (Application Default Credentials, apps.order scope)
  CLOUD_CHANNEL_EMULATOR_HOST              host:port of a Cloud Channel emulator, plain text (--endpoint --insecure)
  CLOUD_CHANNEL_TRANSPORT                  grpc (default) or rest (--transport)
  NO_COLOR, FORCE_COLOR                    colors off / on (default: on for a terminal)
Secrets are never printed: error messages are redacted.`;

/** The package version, from the package.json above this module (in the repository and in dist/). */
export function packageVersion(): string {
  let directory = new URL('./', import.meta.url);
  for (let depth = 0; depth < 6; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', directory), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'entitlement-provisioner' && manifest.version) return manifest.version;
    } catch {
      // Not here: one level up.
    }
    directory = new URL('../', directory);
  }
  return '0.0.0';
}

/** Runs the CLI and resolves to the exit code (argv as in process.argv: node, script, args...). */
export async function run(
  argv: readonly string[] = process.argv,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  // The spinner library only for a terminal: pipes, CI and tests never load it.
  const spinner = process.stderr.isTTY ? (await import('ora')).default : undefined;
  // Until commander has parsed the flags (usage errors come before that), guess them from argv.
  let output = new Output({ json: before.includes('--json'), color: !before.includes('--no-color'), env });
  const outputFor = (command: Command): Output => {
    const flags = command.optsWithGlobals<GlobalFlags>();
    output = new Output({ json: flags.json === true, color: flags.color !== false, env, spinner });
    return output;
  };

  const program = new Command('entitlements')
    .description('Create and read customer entitlements at Confluent Cloud and Google Cloud Channel.')
    .addHelpText(
      'after',
      '\nResults go to stdout, progress and errors to stderr. Try `entitlements demo` (no credentials needed).',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--json', 'print one JSON value on stdout; errors as JSON on stderr')
    .option('--no-color', 'no colors (also NO_COLOR=1)')
    .exitOverride()
    .configureOutput({ outputError: (message) => output.usageError(message, EXIT.usage) })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText('afterAll', `\n${ENVIRONMENT_HELP}\n\n${exitCodeHelp()}\n`);
  if (!output.json) program.showHelpAfterError('(add --help for usage)');
  program.addHelpCommand('help [command]', 'show help for a command');

  registerDemo(program, outputFor);
  registerCreate(program, outputFor);
  registerWait(program, outputFor);
  registerGet(program, outputFor);
  registerEmulator(program, outputFor);
  registerApply(program, outputFor);
  registerStatus(program, outputFor);

  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const code = exitCodeFor(error);
    output.error(error, code);
    return code;
  }
}
