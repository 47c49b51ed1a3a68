/**
 * `entitlements create confluent ...` and `entitlements create google-channel ...`: create an
 * entitlement through the facade, then wait for it with progress (or, with `--no-wait`, print the
 * operation token for `entitlements wait`).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { CONFLUENT_PLAN_IDS, CONFLUENT_PRODUCT_IDS } from '../../vendors/confluent/catalog.ts';
import type { ConfluentCreateRequest } from '../../vendors/confluent/types.ts';
import type {
  GoogleChannelCreateRequest,
  GoogleChannelParameterInput,
} from '../../vendors/google-channel/types.ts';
import { type RunResult, runWithProvisioner } from '../context.ts';
import { examples } from '../help.ts';
import {
  addChannelConnection,
  addConfluentConnection,
  addWaitOptions,
  type ConnectionFlags,
  checkConnection,
  type GlobalFlags,
  type WaitFlags,
} from '../options.ts';
import { entitlementJson, type Output } from '../output.ts';

type OutputFor = (command: Command) => Output;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * The `--param` values, read once the command runs (the generated Value type they are read by
 * loads with them, not for `--help`); a bad one is the usage error commander gives for an option.
 */
async function parametersOf(command: Command, texts: readonly string[] = []) {
  if (texts.length === 0) return undefined;
  const { parseParameter } = await import('../parameters.ts');
  let parameters: GoogleChannelParameterInput[] = [];
  for (const text of texts) {
    try {
      parameters = parseParameter(text, parameters);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      command.error(`error: option '--param <name=value>' argument '${text}' is invalid. ${error.message}`, {
        exitCode: 2,
        code: 'commander.invalidArgument',
      });
    }
  }
  return parameters;
}

interface ConfluentFlags extends GlobalFlags, ConnectionFlags, WaitFlags {
  externalId: string;
  name: string;
  planId: string;
  productId: string;
  organizationId?: string;
}

interface ChannelFlags extends GlobalFlags, ConnectionFlags, WaitFlags {
  parent: string;
  offer: string;
  param?: string[];
  idempotencyKey?: string;
  correlationId?: string;
}

function print(output: Output, result: RunResult): void {
  const { operation, entitlement, facts } = result;
  if (operation.replayed)
    output.note(
      `${operation.vendor}: this create was a repeat of an earlier one with the same key: nothing new was created, the existing entitlement is shown.`,
    );
  if (!entitlement) {
    output.result(
      {
        vendor: operation.vendor,
        token: operation.token,
        done: operation.done,
        replayed: operation.replayed,
        ...(facts.attempts !== undefined ? { attempts: facts.attempts } : {}),
        ...(facts.meta ? { meta: { ...facts.meta, durationMs: Math.round(facts.meta.durationMs) } } : {}),
      },
      () => operation.token,
    );
    return;
  }
  const shown = { ...facts, replayed: operation.replayed };
  output.result(entitlementJson(entitlement, shown), () => output.entitlement(entitlement, shown));
}

/** The spec's plan and product ids, for the help: the first of each in the examples. */
const PLAN = CONFLUENT_PLAN_IDS[0] ?? '<plan>';
const PRODUCT = CONFLUENT_PRODUCT_IDS[0] ?? '<product>';

function listed(values: readonly string[]): string {
  return values.length === 0 ? 'see the vendor spec' : values.join(', ');
}

export function registerCreate(program: Command, outputFor: OutputFor): void {
  const create = program
    .command('create')
    .description('create an entitlement at a vendor and wait until it is ready')
    .addHelpText(
      'after',
      '\nBoth vendors wait by default (progress on stderr, the entitlement on stdout); with --no-wait\nonly the operation token is printed: follow it later with `entitlements wait <token>`.',
    );
  examples(create, [
    `entitlements create confluent --external-id cust-42 --name "Acme Corp" --plan-id ${PLAN} --product-id ${PRODUCT}`,
    'entitlements create google-channel --parent accounts/C0000001/customers/S0000001 --offer accounts/C0000001/offers/OFFER-GCP --param num_units=10',
  ]);

  const confluent = create
    .command('confluent')
    .description('create a Confluent Cloud entitlement (partner/v2); external_id is the idempotency key')
    .requiredOption(
      '--external-id <id>',
      'your id for the customer (unique per customer: the idempotency key)',
    )
    .requiredOption('--name <name>', 'the entitlement name')
    .requiredOption(
      '--plan-id <plan>',
      `the plan, one the vendor's spec lists (${listed(CONFLUENT_PLAN_IDS)})`,
    )
    .requiredOption(
      '--product-id <product>',
      `the product, one the vendor's spec lists (${listed(CONFLUENT_PRODUCT_IDS)})`,
    )
    .option('--organization-id <id>', 'the Confluent organization');
  addConfluentConnection(confluent);
  addWaitOptions(confluent, { noWait: true, vendor: 'confluent' });
  examples(confluent, [
    '# against `entitlements emulator` (it prints the two variables to export)',
    'export CONFLUENT_BASE_URL=http://127.0.0.1:8080 CONFLUENT_PARTNER_TOKEN=emulator-token',
    `entitlements create confluent --external-id cust-42 --name "Acme Corp" --plan-id ${PLAN} --product-id ${PRODUCT}`,
    '# a script: the token only, then the entitlement as JSON',
    `token=$(entitlements create confluent --external-id cust-43 --name "Globex" --plan-id ${PLAN} --product-id ${PRODUCT} --no-wait)`,
    'entitlements --json wait "$token"',
  ]);
  confluent.action(async (_options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<ConfluentFlags>();
    const request: ConfluentCreateRequest = {
      vendor: 'confluent',
      entitlement: {
        external_id: flags.externalId,
        name: flags.name,
        // Checked against the vendor's spec by the adapter before anything is sent (exit 3).
        plan_id: flags.planId as ConfluentCreateRequest['entitlement']['plan_id'],
        product_id: flags.productId as ConfluentCreateRequest['entitlement']['product_id'],
        ...(flags.organizationId !== undefined ? { organization: { id: flags.organizationId } } : {}),
      },
    };
    const output = outputFor(command);
    await runWithProvisioner(output, flags, 'confluent', {
      wait: flags.wait,
      starting: 'creating entitlement',
      start: (provisioner, signal) => provisioner.create(request, { signal }),
      show: (result) => print(output, result),
    });
  });

  const channel = create
    .command('google-channel')
    .description('create a Google Cloud Channel entitlement (a long-running operation)')
    .requiredOption('--parent <customer>', 'the customer: accounts/{account}/customers/{customer}')
    .requiredOption('--offer <offer>', 'the offer: accounts/{account}/offers/{offer}')
    .option(
      '--param <name=value>',
      'an entitlement parameter, repeatable (e.g. num_units=10; name:string=10 forces a type)',
      collect,
    )
    .option(
      '--idempotency-key <key>',
      'one key per purchase: a retried or repeated create returns the same operation',
    )
    .option('--correlation-id <id>', "your system's id for this purchase (kept in the operation token)");
  addChannelConnection(channel);
  addWaitOptions(channel, { noWait: true, vendor: 'google-channel' });
  examples(channel, [
    '# against `entitlements emulator` (it prints the variable to export)',
    'export CLOUD_CHANNEL_EMULATOR_HOST=127.0.0.1:8085',
    'entitlements create google-channel --parent accounts/C0000001/customers/S0000001 --offer accounts/C0000001/offers/OFFER-GCP --param num_units=10 --idempotency-key order-1001',
    '# at Google, with Application Default Credentials; over REST',
    'entitlements create google-channel --parent accounts/C123/customers/S456 --offer accounts/C123/offers/O789 --transport rest --no-wait',
  ]);
  channel.action(async (_options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<ChannelFlags>();
    checkConnection(command, flags);
    const parameters = await parametersOf(command, flags.param);
    const request: GoogleChannelCreateRequest = {
      vendor: 'google-channel',
      parent: flags.parent,
      entitlement: { offer: flags.offer, ...(parameters ? { parameters } : {}) },
      ...(flags.correlationId !== undefined ? { externalCorrelationId: flags.correlationId } : {}),
    };
    const output = outputFor(command);
    await runWithProvisioner(output, flags, 'google-channel', {
      wait: flags.wait,
      starting: 'creating entitlement',
      start: (provisioner, signal) =>
        provisioner.create(request, {
          signal,
          ...(flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {}),
        }),
      show: (result) => print(output, result),
    });
  });
}
