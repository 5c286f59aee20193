import { describe, expect, it } from 'vitest';
import {
  dateParam,
  jsonParam,
  readDate,
  readFlag,
  readInteger,
  readJson,
  readString,
} from '../../../src/kysely/sql-dialect.js';

describe('reading driver values', () => {
  const instant = '2024-05-01T10:05:00.123Z';
  it.each([
    ['a Date (pg, mysql2)', new Date(instant), instant],
    ['ISO text (SQLite, ours)', instant, instant],
    ['SQL text without zone, as UTC (SQLite CURRENT_TIMESTAMP)', '2024-05-01 10:05:00.123', instant],
    ['SQL text with T and no zone', '2024-05-01T10:05:00.123', instant],
    ['text with an offset', '2024-05-01T18:05:00.123+08:00', instant],
    ['epoch milliseconds', Date.parse(instant), instant],
  ])('reads a timestamp from %s', (_label, value, iso) => {
    expect(readDate(value)?.toISOString()).toBe(iso);
  });

  it('reads empty timestamps as null and refuses garbage', () => {
    expect(readDate(null)).toBeNull();
    expect(readDate('')).toBeNull();
    expect(() => readDate('yesterday')).toThrow(/Unreadable timestamp/);
  });

  it.each([
    [42, 42],
    ['42', 42],
    [42n, 42],
  ])('reads integer %s (pg returns bigint as text)', (value, expected) => {
    expect(readInteger(value)).toBe(expected);
  });

  it('refuses unsafe or fractional integers', () => {
    expect(() => readInteger('9007199254740993')).toThrow();
    expect(() => readInteger(1.5)).toThrow();
  });

  it.each([
    ['{"a":1}', { a: 1 }],
    ['[1,"x",null]', [1, 'x', null]],
    ['"text"', 'text'],
    ["{'a': 1}", "{'a': 1}"],
    ['', null],
    [null, null],
    [{ parsed: true }, { parsed: true }],
  ])('reads JSON column %j', (value, expected) => {
    expect(readJson(value)).toEqual(expected);
  });

  it('reads the original tables’ empty strings as null', () => {
    expect(readString('')).toBeNull();
    expect(readString(null)).toBeNull();
    expect(readString('ch_1')).toBe('ch_1');
  });

  it('reads 0/1 flags as booleans', () => {
    expect([readFlag(1), readFlag('0'), readFlag(null), readFlag(true)]).toEqual([true, false, null, true]);
  });
});

describe('writing driver values', () => {
  it('binds dates as ISO text on SQLite (it cannot bind a Date) and as Date elsewhere', () => {
    const d = new Date('2024-01-02T03:04:05.006Z');
    expect(dateParam('sqlite', d)).toBe('2024-01-02T03:04:05.006Z');
    expect(dateParam('postgres', d)).toBe(d);
    expect(dateParam('mysql', d)).toBe(d);
  });

  it('writes JSON as JSON text, never a language repr', () => {
    expect(jsonParam({ a: [1, 'b'], d: new Date('2024-01-01T00:00:00Z') })).toBe(
      '{"a":[1,"b"],"d":"2024-01-01T00:00:00.000Z"}',
    );
    expect(jsonParam(null)).toBeNull();
    expect(jsonParam(undefined)).toBeNull();
  });
});
