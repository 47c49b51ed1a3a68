/**
 * cockatiel's exponential backoff with decorrelated jitter, loaded when a first backoff is needed
 * (a retry, a pause between polls), not at import: a call that succeeds at once never loads it.
 */
type Cockatiel = typeof import('cockatiel');

let loading: Promise<Cockatiel> | undefined;

export function loadBackoff(): Promise<Cockatiel> {
  loading ??= import('cockatiel');
  return loading;
}
