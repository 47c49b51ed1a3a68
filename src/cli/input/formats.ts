/**
 * What `entitlements apply` and `entitlements enqueue` say about their input in the help: both read
 * it with the same readers (index.ts), so one text. Text only: the help imports this, never the
 * readers (csv-parse loads when a command runs).
 */
import { Option } from 'commander';

export const INPUT_ARGUMENT =
  'JSON Lines (.jsonl) or CSV (.csv) file of create requests, or - for stdin (JSON Lines unless --format csv)';

/** `--format`, for a file whose extension does not say. */
export function formatOption(): Option {
  return new Option('--format <format>', 'input format (default: by extension; stdin: jsonl)').choices([
    'jsonl',
    'csv',
  ]);
}

export const INPUT_HELP = [
  'JSON Lines: one create request per line, with its "vendor" and an optional "idempotencyKey", e.g.',
  '  {"vendor":"confluent","entitlement":{"external_id":"c-1","name":"Acme","plan_id":"...","product_id":"..."}}',
  '  {"vendor":"google-channel","idempotencyKey":"o-1","parent":"accounts/A/customers/C","entitlement":{"offer":"accounts/A/offers/O"}}',
  'CSV: a header row; columns vendor, idempotency_key, and the dotted path of each request field',
  '(entitlement.external_id, parent, entitlement.offer, ...); Cloud Channel parameters as param:<name>.',
  'A line that cannot be read is reported with its number (line N: ...); the other lines go on.',
].join('\n');
