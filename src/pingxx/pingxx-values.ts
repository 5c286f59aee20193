/**
 * Checks on values shared by the charge and refund builders and the next-action reader.
 * @module
 */

/** Whether `value` is an absolute `http:` or `https:` URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Copies caller metadata for Ping++, which takes string values only.
 * @param fail called with the field (`metadata.<key>`) of the first non-string value; throws.
 */
export function copyStringMetadata(
  metadata: Readonly<Record<string, unknown>> | undefined,
  fail: (field: string, message: string) => never,
): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value !== 'string') fail(`metadata.${key}`, `metadata.${key} must be a string.`);
    copy[key] = value;
  }
  return copy;
}
