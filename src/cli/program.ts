/**
 * The `entitlements` command line: commander parses, the commands run, and every outcome becomes
 * an exit code (exit-codes.ts). Nothing here calls process.exit: `run` returns the code, and the
 * process ends by itself once every emulator, client and timer is closed.
 *
 * Conventions for a command (one module in commands/, one registration line below):
 * - Export `registerX(program: Command, outputFor: OutputFor): void`; add `.description()`,
 *   `.requiredOption()` for what must be given (marked in the help by itself), and
 *   `examples(command, [...])` (help.ts): every command has examples (test/cli checks it).
 * - In the action, `const output = outputFor(command)`: the Output for the parsed global flags
 *   (--json, --no-color). Print only through it: `output.result(json, () => text)` for the result
 *   on stdout, `output.line(value)` for NDJSON lines, `output.progress()` / `output.note()` on
 *   stderr (a progress library draws on `output.terminal`, only when `output.interactive`). All of
 *   it is redacted. Never write to process.stdout, process.stderr or console: in tests the streams
 *   are the test's, and a closed pipe is handled there (exit 141).
 * - Read the environment from `output.env`, never process.env, and `-` from `output.stdin`; wait
 *   for Ctrl-C with `withInterrupts(work, output.signals)` or `listenForInterrupts(output.signals)`
 *   (context.ts), never process.on.
 * - Keep a command module light to import: commander and the registration at the top, everything
 *   the action needs (the library, vendors, the batch engine, input readers, sqlite, bullmq, the
 *   emulators) by `await import()` in the action, so that `--help` and `--version` load none of it
 *   (test/cli/smoke.test.ts checks).
 * - Fail by throwing an EntitlementError (messages.ts `cliError` for the CLI's own: one sentence of
 *   cause, one of action, naming the option or variable); `run` prints it and maps it to an exit
 *   code. Commander usage errors (unknown option, missing value) exit 2 by themselves.
 * - Close what you opened (provisioners, emulators) in `finally`: the process must end by itself.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.ts';
import { registerCancel } from './commands/cancel.ts';
import { registerCreate } from './commands/create.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerEnqueue } from './commands/enqueue.ts';
import { registerGet } from './commands/get.ts';
import { registerQueueStatus } from './commands/queue-status.ts';
import { registerStatus } from './commands/status.ts';
import { registerWait } from './commands/wait.ts';
import { registerWorker } from './commands/worker.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { examples, finishHelp, rewriteHelpCommand, unknownTopic } from './help.ts';
import type { GlobalFlags } from './options.ts';
import { Output, type SpinnerFactory } from './output.ts';
import { type CliStream, GuardedStream, type SignalSource } from './streams.ts';

export { ENVIRONMENT_HELP } from './help.ts';

/** What each register function gets: the Output of the command being run. */
export type OutputFor = (command: Command) => Output;

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

/** One run of the CLI, with everything it may touch passed in (defaults: this process's). */
export interface RunOptions {
  /** The arguments after the program name: `['create', 'confluent', '--name', 'x']`. */
  args: readonly string[];
  env?: Record<string, string | undefined>;
  stdout?: CliStream;
  stderr?: CliStream;
  /** What `apply -` and `enqueue -` read (default: process.stdin). */
  stdin?: Readable;
  /** Where SIGINT and SIGTERM come from: process, or an EventEmitter in tests. */
  signals?: SignalSource;
}

/**
 * Runs the CLI and resolves to the exit code. Takes RunOptions, or (older form) an argv as in
 * process.argv (node, script, args...) and an environment.
 */
export async function run(
  options: RunOptions | readonly string[] = { args: process.argv.slice(2) },
  legacyEnv?: Record<string, string | undefined>,
): Promise<number> {
  const settings: RunOptions = Array.isArray(options)
    ? { args: (options as readonly string[]).slice(2), ...(legacyEnv ? { env: legacyEnv } : {}) }
    : (options as RunOptions);
  const env = settings.env ?? process.env;
  const stdout = new GuardedStream(settings.stdout ?? process.stdout);
  const stderr = new GuardedStream(settings.stderr ?? process.stderr);
  const signals = settings.signals ?? process;
  const { args, topics } = rewriteHelpCommand(settings.args);
  const end = args.indexOf('--');
  const before = end === -1 ? args : args.slice(0, end);
  // The spinner library only for a terminal: pipes, CI and tests never load it. A terminal that
  // reports no width (a bare pseudo-terminal) gets plain lines: ora loops forever at 0 columns.
  const spinner: SpinnerFactory | undefined =
    stderr.isTTY && (stderr.columns ?? 0) > 0 ? (await import('ora')).default : undefined;
  const outputOptions = {
    env,
    stdout,
    stderr,
    signals,
    spinner,
    ...(settings.stdin ? { stdin: settings.stdin } : {}),
  };
  // Until commander has parsed the flags (usage errors come before that), guess them from argv.
  let output = new Output({
    ...outputOptions,
    json: before.includes('--json'),
    color: !before.includes('--no-color'),
  });
  const outputFor: OutputFor = (command) => {
    const flags = command.optsWithGlobals<GlobalFlags>();
    output = new Output({ ...outputOptions, json: flags.json === true, color: flags.color !== false });
    return output;
  };

  const program = new Command('entitlements')
    .description('Create, follow and read customer entitlements at Confluent Cloud and Google Cloud Channel.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--json', 'print one JSON value on stdout; errors as JSON on stderr')
    .option('--no-color', 'no colors (also NO_COLOR=1)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: (message) => output.usageError(message, EXIT.usage),
      getOutHelpWidth: () => (stdout.isTTY && stdout.columns ? stdout.columns : 80),
      getErrHelpWidth: () => (stderr.isTTY && stderr.columns ? stderr.columns : 80),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      '\nResults go to stdout, progress and errors to stderr. Start with `entitlements demo` (no credentials needed).',
    );
  if (!output.json) program.showHelpAfterError('(add --help for usage)');
  program.helpCommand('help [command...]', 'show help for a command (e.g. help create confluent)');
  examples(program, [
    'entitlements demo',
    'entitlements emulator --complete-after-polls 3',
    'entitlements create google-channel --parent accounts/C0000001/customers/S0000001 --offer accounts/C0000001/offers/OFFER-GCP',
    'entitlements help create confluent',
  ]);

  registerDemo(program, outputFor);
  registerCreate(program, outputFor);
  registerWait(program, outputFor);
  registerCancel(program, outputFor);
  registerGet(program, outputFor);
  registerEmulator(program, outputFor);
  registerApply(program, outputFor);
  registerStatus(program, outputFor);
  registerWorker(program, outputFor);
  registerEnqueue(program, outputFor);
  registerQueueStatus(program, outputFor);

  finishHelp(program);
  const unknown = unknownTopic(program, topics);
  if (unknown !== undefined) {
    output.usageError(
      `error: unknown command '${unknown}'. Run \`entitlements help\` for the commands.`,
      EXIT.usage,
    );
    return EXIT.usage;
  }
  let code: number;
  try {
    await program.parseAsync([...args], { from: 'user' });
    code = EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) code = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    else {
      code = exitCodeFor(error);
      output.error(error, code);
    }
  }
  // The command completed, but its reader went away before all of it was written (`| head`). A
  // failed write reports its EPIPE on the next tick: let it arrive.
  await new Promise((resolve) => setImmediate(resolve));
  if (code === EXIT.ok && (stdout.closed || stderr.closed)) return EXIT.closedPipe;
  return code;
}
