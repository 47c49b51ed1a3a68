/**
 * `entitlements create confluent ...` and `entitlements create google-channel ...`: create an
 * entitlement through the facade, then wait for it with progress (or, with `--no-wait`, print the
 * operation token for `entitlements wait`).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { REQUEST_MESSAGES, TYPE_NAMES } from '../../../generated/google/channel.ts';
import type { ConfluentCreateRequest } from '../../vendors/confluent/types.ts';
import type {
  GoogleChannelCreateRequest,
  GoogleChannelParameterInput,
} from '../../vendors/google-channel/types.ts';
import {
  provisionerFor,
  type RunResult,
  requireCredentials,
  runOperation,
  Tally,
  withInterrupts,
} from '../context.ts';
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

/** How the command-line text of each protobuf scalar type is read (`undefined`: not of that type). */
const READ: Record<string, { read: (text: string) => unknown; expected: string }> = {
  int64: { read: (text) => (/^(0|-?[1-9][0-9]*)$/.test(text) ? text : undefined), expected: 'an integer' },
  bool: {
    read: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
    expected: 'true or false',
  },
  double: {
    read: (text) => (/^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : undefined),
    expected: 'a number',
  },
  string: { read: (text) => text, expected: 'a string' },
};

/** A Value's kinds a command line can give (its scalar ones), by protobuf type, from the generated oneof. */
const VALUE = REQUEST_MESSAGES[TYPE_NAMES.Value];
const KINDS = new Map<string, string>(
  VALUE.oneofs.kind.flatMap((kind) => {
    const { type } = VALUE.fields[kind];
    return type in READ ? [[type, kind] as const] : [];
  }),
);
const TYPES = [...KINDS.keys()];
/** The order in which an untyped value's text is tried: whole number, boolean, number, string. */
const INFERENCE = ['int64', 'bool', 'double', 'string'].filter((type) => KINDS.has(type));
const PARAMETER = /^([A-Za-z_][\w.-]*)(?::([a-z0-9]+))?=(.*)$/s;

/**
 * `--param name=value`: a whole number becomes the int64 kind of the Value, true/false the bool
 * kind, a decimal number the double kind, anything else the string kind; `name:string=10` (the
 * kind's protobuf type, or an unambiguous prefix of it such as `int`) says which.
 */
export function parseParameter(
  text: string,
  previous: GoogleChannelParameterInput[] = [],
): GoogleChannelParameterInput[] {
  const match = PARAMETER.exec(text);
  if (!match)
    throw new InvalidArgumentError(`expected name=value or name:type=value (type: ${TYPES.join(', ')}).`);
  const [, name = '', given, value = ''] = match;
  let type: string | undefined;
  if (given !== undefined) {
    const candidates = TYPES.filter((candidate) => candidate.startsWith(given));
    if (candidates.length !== 1)
      throw new InvalidArgumentError(
        `${name}: unknown type ${JSON.stringify(given)} (type: ${TYPES.join(', ')}).`,
      );
    type = candidates[0];
  } else type = INFERENCE.find((candidate) => READ[candidate]?.read(value) !== undefined);
  const kind = type === undefined ? undefined : KINDS.get(type);
  const reader = type === undefined ? undefined : READ[type];
  const read = reader?.read(value);
  if (kind === undefined || reader === undefined || read === undefined)
    throw new InvalidArgumentError(
      `${name}: ${JSON.stringify(value)} is not ${reader?.expected ?? 'a parameter value'}.`,
    );
  return [...previous, { name, value: { [kind]: read } as GoogleChannelParameterInput['value'] }];
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
  param?: GoogleChannelParameterInput[];
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

export function registerCreate(program: Command, outputFor: OutputFor): void {
  const create = program
    .command('create')
    .description('create an entitlement at a vendor and wait until it is ready')
    .addHelpText(
      'after',
      '\nBoth vendors wait by default (progress on stderr, the entitlement on stdout); with --no-wait\nonly the operation token is printed: follow it later with `entitlements wait <token>`.',
    );
  examples(create, [
    'entitlements create confluent --external-id cust-42 --name "Acme Corp" --plan-id confluent-cloud-payg-prod --product-id confluent-cloud-for-apache-kafka',
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
    .requiredOption('--plan-id <plan>', 'the plan, e.g. confluent-cloud-payg-prod')
    .requiredOption('--product-id <product>', 'the product, e.g. confluent-cloud-for-apache-kafka')
    .option('--organization-id <id>', 'the Confluent organization');
  addConfluentConnection(confluent);
  addWaitOptions(confluent, { noWait: true, vendor: 'confluent' });
  examples(confluent, [
    '# against `entitlements emulator` (it prints the two variables to export)',
    'export CONFLUENT_BASE_URL=http://127.0.0.1:8080 CONFLUENT_PARTNER_TOKEN=emulator-token',
    'entitlements create confluent --external-id cust-42 --name "Acme Corp" --plan-id confluent-cloud-payg-prod --product-id confluent-cloud-for-apache-kafka',
    '# a script: the token only, then the entitlement as JSON',
    'token=$(entitlements create confluent --external-id cust-43 --name "Globex" --plan-id confluent-cloud-payg-prod --product-id confluent-cloud-for-apache-kafka --no-wait)',
    'entitlements --json wait "$token"',
  ]);
  confluent.action(async (_options: unknown, command: Command) => {
    const flags = command.optsWithGlobals<ConfluentFlags>();
    const output = outputFor(command);
    requireCredentials('confluent', output.env);
    const tally = new Tally();
    const provisioner = await provisionerFor(flags, output, tally);
    try {
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
      const result = await withInterrupts(
        (signal) =>
          runOperation({
            wait: flags.wait,
            timeout: flags.timeout,
            pollInterval: flags.pollInterval,
            output,
            tally,
            signal,
            vendor: 'confluent',
            starting: 'creating entitlement',
            start: (abort) => provisioner.create(request, { signal: abort }),
          }),
        output.signals,
      );
      print(output, result);
    } finally {
      await provisioner.close();
    }
  });

  const channel = create
    .command('google-channel')
    .description('create a Google Cloud Channel entitlement (a long-running operation)')
    .requiredOption('--parent <customer>', 'the customer: accounts/{account}/customers/{customer}')
    .requiredOption('--offer <offer>', 'the offer: accounts/{account}/offers/{offer}')
    .option(
      '--param <name=value>',
      'an entitlement parameter, repeatable (e.g. num_units=10; name:string=10 forces a type)',
      parseParameter,
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
    const output = outputFor(command);
    requireCredentials('google-channel', output.env, flags);
    const tally = new Tally();
    const provisioner = await provisionerFor(flags, output, tally);
    try {
      const request: GoogleChannelCreateRequest = {
        vendor: 'google-channel',
        parent: flags.parent,
        entitlement: { offer: flags.offer, ...(flags.param ? { parameters: flags.param } : {}) },
        ...(flags.correlationId !== undefined ? { externalCorrelationId: flags.correlationId } : {}),
      };
      const result = await withInterrupts(
        (signal) =>
          runOperation({
            wait: flags.wait,
            timeout: flags.timeout,
            pollInterval: flags.pollInterval,
            output,
            tally,
            signal,
            vendor: 'google-channel',
            starting: 'creating entitlement',
            start: (abort) =>
              provisioner.create(request, {
                signal: abort,
                ...(flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {}),
              }),
          }),
        output.signals,
      );
      print(output, result);
    } finally {
      await provisioner.close();
    }
  });
}
