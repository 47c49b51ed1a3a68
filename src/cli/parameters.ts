/**
 * `--param name=value` of `entitlements create google-channel` and the `param:<name>` columns of
 * batch CSV: the text of a Cloud Channel parameter read as a protobuf Value, its kinds taken from
 * the generated descriptor (loaded with this module, when a command reads parameters).
 */
import { InvalidArgumentError } from 'commander';
import { REQUEST_MESSAGES, TYPE_NAMES } from '../../generated/google/channel.ts';
import type { GoogleChannelParameterInput } from '../vendors/google-channel/types.ts';

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
