/**
 * Text the original (Python) system wrote into its TEXT columns, reproduced byte for byte so adoption tests see
 * exactly what a host's tables hold:
 * - {@link pyRepr}: `str(dict)` of a plain dict, a Python literal (`{'id': 'ch_1', 'paid': False, 'x': None}`),
 *   what `extra = str(charge["extra"])` and `charge_object = str(charge)` wrote where the value was a dict;
 * - {@link pyJsonDumps}: `json.dumps(obj)` (separators `', '` and `': '`, non-ASCII as `\uXXXX`);
 * - {@link pingppStr}: `str(charge)` of a pingpp-python `PingppObject`, `json.dumps(obj, ensure_ascii=True,
 *   sort_keys=True, indent=2)`.
 */

/** Python's `repr` of a JSON-like value. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return pyStr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  throw new TypeError(`no Python repr for ${typeof value}`);
}

function pyFloat(n: number): string {
  const s = String(n);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A `str` literal as `repr` spells it: single quotes unless the text has one and no double quote. */
function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

const asciiOnly = (json: string): string =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);

/** `json.dumps(value)` with Python's defaults. */
export function pyJsonDumps(value: unknown): string {
  const encode = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (Array.isArray(v)) return `[${v.map(encode).join(', ')}]`;
    if (typeof v === 'object') {
      return `{${Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${JSON.stringify(k)}: ${encode(x)}`)
        .join(', ')}}`;
    }
    return JSON.stringify(v);
  };
  return asciiOnly(encode(value));
}

/** `str()` of a pingpp-python object: sorted keys, indent 2, ASCII only. */
export function pingppStr(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return asciiOnly(JSON.stringify(sorted(value), null, 2));
}
