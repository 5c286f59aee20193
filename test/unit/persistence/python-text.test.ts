/**
 * The adoption tests' reproduction of the text the original (Python) system wrote, checked against what CPython 3
 * prints for the same values.
 */
import { describe, expect, it } from 'vitest';
import { pingppStr, pyJsonDumps, pyRepr } from '../../integration/persistence/python-text.js';

describe('Python text of the original system', () => {
  it('spells str(dict) as Python does', () => {
    expect(pyRepr({ id: 'ch_1', paid: false, failure_code: null, amount: 5900, extra: {}, list: [1, 'a'] })).toBe(
      "{'id': 'ch_1', 'paid': False, 'failure_code': None, 'amount': 5900, 'extra': {}, 'list': [1, 'a']}",
    );
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr('课程\n')).toBe("'课程\\n'");
    expect(pyRepr(1.5)).toBe('1.5');
  });

  it('spells json.dumps and pingpp str() as Python does', () => {
    expect(pyJsonDumps({ a: '课', b: [1, null, true] })).toBe('{"a": "\\u8bfe", "b": [1, null, true]}');
    expect(pingppStr({ b: 1, a: { d: [], c: 'x' } })).toBe(
      '{\n  "a": {\n    "c": "x",\n    "d": []\n  },\n  "b": 1\n}',
    );
  });
});
