/**
 * Which fields of a create body differ from the entitlement the vendor stored under the same
 * external_id: every member the caller sent is compared (objects by the members sent), so the
 * comparison follows the request type with no list of fields to keep up to date.
 */
export function differingFields(sent: unknown, stored: unknown, path = ''): string[] {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) {
    return JSON.stringify(sent) === JSON.stringify(stored) ? [] : [path || '(body)'];
  }
  const storedObject =
    typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  return Object.entries(sent as Record<string, unknown>).flatMap(([key, value]) =>
    value === undefined ? [] : differingFields(value, storedObject[key], path ? `${path}.${key}` : key),
  );
}
