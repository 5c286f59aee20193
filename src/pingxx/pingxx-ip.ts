/**
 * IP address checks for `client_ip`, without `node:net`, so the Ping++ module loads on every runtime.
 * Both accept exactly what `node:net`'s `isIPv4` / `isIPv6` accept (a test compares them).
 * @module
 */

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Whether `value` is a dotted-quad IPv4 address (no leading zeros), like `net.isIPv4`. */
export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

/**
 * Whether `value` is an IPv6 address (optionally with a `%zone`), like `net.isIPv6`. The WHATWG URL parser
 * implements the full RFC 4291 text grammar, so it does the work: a bracketed host parses only if it is IPv6.
 */
export function isIPv6(value: string): boolean {
  const [address, zone, ...rest] = value.split('%');
  if (address === undefined || !address.includes(':') || rest.length > 0) return false;
  if (zone !== undefined && !/^[0-9A-Za-z\-.:]+$/.test(zone)) return false;
  if (!/^[0-9A-Fa-f:.]+$/.test(address)) return false;
  try {
    return new URL(`http://[${address}]/`).hostname.length > 0;
  } catch {
    return false;
  }
}
