/**
 * Redaction: what the CLI prints never contains a credential. It removes
 * - the secrets it was given: the values of its credential variables (CONFLUENT_API_KEY,
 *   CONFLUENT_API_SECRET, CONFLUENT_PARTNER_TOKEN) and of other variables whose names say they
 *   hold one (`*_TOKEN`, `*_SECRET`, `*PASSWORD*`, `*API_KEY*`...), in every form a message can
 *   carry them: raw, URL-encoded, JSON-escaped, base64, and the HTTP Basic credential made of the
 *   API key and secret;
 * - credentials by their syntax: the value of an Authorization (or Proxy-Authorization, Cookie,
 *   X-Api-Key) header, a Bearer or Basic credential, `key=value` and `"key": "value"` pairs whose
 *   key names a secret (`access_token=`, `"client_secret":`), passwords in URLs, PEM private keys
 *   and JSON Web Tokens.
 * Nothing else: ordinary words stay, even next to `token:` or `Bearer`, and so do operation tokens
 * (`ep1.…`), which resume an operation but grant nothing.
 */

export const REDACTED = '[REDACTED]';

type Env = Record<string, string | undefined>;

/** The CLI's own credential variables: their values are secrets whatever their length. */
export const CREDENTIAL_VARIABLES = ['CONFLUENT_API_KEY', 'CONFLUENT_API_SECRET', 'CONFLUENT_PARTNER_TOKEN'];
/** Other variables whose names say they hold a credential. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|AUTH$/i;
/** Shorter values of such variables are left alone (`true`, `1`, `web` would match everywhere). */
const MIN_NAMED_SECRET_LENGTH = 8;
/** Secrets shorter than this are only matched as a whole word, never inside a longer one. */
const MIN_SUBSTRING_LENGTH = 8;

/** A key that names a secret, in `key=value` and `"key": "value"`. */
const SECRET_KEY = String.raw`[\w.-]*(?:token|secret|password|passwd|api[_-]?key|private[_-]?key|access[_-]?key)`;
/** Headers whose whole value is a credential. */
const CREDENTIAL_HEADER = '(?:proxy-)?authori[sz]ation|x-api-key|api-key|cookie';
/** Characters of a token68 credential (RFC 7235) and of most API keys. */
const CREDENTIAL_CHARS = '[A-Za-z0-9._~+/=-]';

/**
 * Whether a word after `Bearer`, `Basic` or `Authorization:` is a credential rather than prose: at
 * least 8 characters, and not a plain word (`authentication`, `Expected`) nor a variable name
 * (`CONFLUENT_PARTNER_TOKEN`).
 */
function credentialLike(text: string): boolean {
  // A full stop ends a sentence, not a credential (base64 pads with `=`, never `.`).
  const word = text.replace(/\.+$/, '');
  if (word.length < 8) return false;
  if (/^[A-Za-z][a-z]*$/.test(word)) return false;
  return !VARIABLE_NAME.test(word);
}

/** After an explicit scheme (`Bearer x1`), shorter credentials count too, but still no plain word. */
function schemeCredential(text: string): boolean {
  const word = text.replace(/\.+$/, '');
  return credentialLike(word) || (/[^A-Za-z]/.test(word) && !VARIABLE_NAME.test(word));
}

const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

type Replacer = (text: string) => string;

const SYNTAX: readonly Replacer[] = [
  // PEM private keys (to the end of the text when the END line was cut off).
  (text) =>
    text.replace(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
      REDACTED,
    ),
  // "authorization": "anything" (JSON): the value is a credential, whatever it looks like.
  (text) =>
    text.replace(
      new RegExp(String.raw`("(?:${CREDENTIAL_HEADER})"\s*:\s*")(?:[^"\\]|\\.)*(")`, 'gi'),
      `$1${REDACTED}$2`,
    ),
  // Authorization: <scheme> <credential> / Authorization: <credential> (header dumps).
  (text) =>
    text.replace(
      new RegExp(
        String.raw`(\b(?:${CREDENTIAL_HEADER})\s*[:=]\s*)(?:(?:Bearer|Basic|Token|Digest|Negotiate)\s+([^\s"',;}]+)|(${CREDENTIAL_CHARS}+))`,
        'gi',
      ),
      (match, prefix: string, schemed: string | undefined, bare: string | undefined) =>
        (schemed !== undefined && schemeCredential(schemed)) || (bare !== undefined && credentialLike(bare))
          ? `${prefix}${REDACTED}`
          : match,
    ),
  // Bearer <credential>, Basic <credential> anywhere.
  (text) =>
    text.replace(
      new RegExp(String.raw`\b(Bearer|Basic)(\s+)(${CREDENTIAL_CHARS}+)`, 'gi'),
      (match, scheme, space, value) => (schemeCredential(value) ? `${scheme}${space}${REDACTED}` : match),
    ),
  // access_token=value, api_key=value (query strings, env assignments); operation tokens stay.
  (text) =>
    text.replace(
      new RegExp(String.raw`(\b${SECRET_KEY}=)(?!ep1\.)(?!\[REDACTED\])[^\s"'&,;}]+`, 'gi'),
      `$1${REDACTED}`,
    ),
  // "client_secret": "value" (JSON); operation tokens stay.
  (text) =>
    text.replace(
      new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")(?!ep1\.)(?:[^"\\]|\\.)+(")`, 'gi'),
      `$1${REDACTED}$2`,
    ),
  // scheme://user:password@host
  (text) => text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`),
  // JSON Web Tokens.
  (text) => text.replace(/\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g, REDACTED),
];

/** The secret values the environment holds, with the Basic credential made of the API key and secret. */
export function secretsFromEnvironment(env: Env): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (CREDENTIAL_VARIABLES.includes(name)) secrets.add(value);
    else if (SECRET_NAME.test(name) && value.length >= MIN_NAMED_SECRET_LENGTH) secrets.add(value);
  }
  const { CONFLUENT_API_KEY: key, CONFLUENT_API_SECRET: secret } = env;
  if (key && secret) secrets.add(Buffer.from(`${key}:${secret}`).toString('base64'));
  return [...secrets];
}

/** The forms in which a message can carry a secret. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type Redactor = (text: string) => string;

/** A function that removes from text the secrets of `env` (and `extraSecrets`) and credentials by their syntax. */
export function createRedactor(env: Env = {}, extraSecrets: readonly string[] = []): Redactor {
  const forms = new Set<string>();
  for (const secret of [...secretsFromEnvironment(env), ...extraSecrets])
    if (secret) for (const form of formsOf(secret)) if (form) forms.add(form);
  // Longest first, so that a secret containing another is removed whole; short ones as whole words.
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) =>
      form.length >= MIN_SUBSTRING_LENGTH
        ? escapeRegExp(form)
        : String.raw`(?<![\p{L}\p{N}])${escapeRegExp(form)}(?![\p{L}\p{N}])`,
    );
  const literal = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'gu') : undefined;
  return (text) => {
    let result = literal ? text.replace(literal, REDACTED) : text;
    for (const replace of SYNTAX) result = replace(result);
    return result;
  };
}

/** Object keys whose values are credentials. */
const SECRET_PROPERTY =
  /^(?:(?:proxy-)?authori[sz]ation|cookie|x-api-key|.*(?:secret|password|api[_-]?key|private[_-]?key|access[_-]?token))$/i;

/** Redacts every string inside a JSON-like value; properties named like a credential lose their value. */
export function redactDeep(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  if (value instanceof Date) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    result[key] =
      SECRET_PROPERTY.test(key) && item !== undefined ? REDACTED : redactDeep(item, redact, depth + 1);
  return result;
}
