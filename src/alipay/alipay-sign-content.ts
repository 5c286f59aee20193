/**
 * What Alipay signs, as a pure function (no Node built-ins), so the portable test kit's signer can use it.
 * @module
 */

/**
 * The content Alipay signs: every field but `sign` and `sign_type`, without empty values, sorted by
 * name, as `k=v` joined with `&` (values as received, not encoded).
 */
export function alipaySignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}
