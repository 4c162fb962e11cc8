import { shiftDecimal } from '../../../src/mapping/transforms';
import {
  MappingValueError,
  decimalToExactNumber,
  normalizeDecimal,
  toBoolean,
  toDecimalString,
  toIsoDate,
  toIsoDatetime,
  toNumber,
} from '../../../src/mapping/values';

describe('decimals never pass through a float', () => {
  it.each([
    ['12', '12'],
    ['0012.500', '12.5'],
    ['-0', '0'],
    ['-0.00', '0'],
    ['+3.10', '3.1'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['1e3', '1000'],
    ['1.5E-7', '0.00000015'],
    ['-2.5e2', '-250'],
    ['123456789012345678901234567890.123456789', '123456789012345678901234567890.123456789'],
  ])('normalizes %j to %j', (input, out) => {
    expect(normalizeDecimal(input)).toBe(out);
  });

  it.each(['', '.', '-', '1.2.3', '12a', '1e', 'NaN', 'Infinity', '0x10', '1,000'])('rejects %j', (input) => {
    expect(() => normalizeDecimal(input)).toThrow(MappingValueError);
  });

  it('keeps every digit of a string amount', () => {
    expect(toDecimalString('9007199254740993.01')).toBe('9007199254740993.01');
  });

  it('spells a JSON number by its shortest round-trip text', () => {
    expect(toDecimalString(0.1)).toBe('0.1');
    expect(toDecimalString(1234.5)).toBe('1234.5');
    expect(toDecimalString(1e21)).toBe('1000000000000000000000');
    expect(toDecimalString(5e-7)).toBe('0.0000005');
    expect(() => toDecimalString(Number.NaN)).toThrow(/finite/);
    expect(() => toDecimalString(true)).toThrow(/decimal/);
  });

  it('converts to a JSON number only when no digit is lost', () => {
    expect(decimalToExactNumber('1234.50')).toBe(1234.5);
    expect(decimalToExactNumber('0.1')).toBe(0.1);
    expect(() => decimalToExactNumber('9007199254740993')).toThrow(/without rounding/);
    expect(() => decimalToExactNumber('0.1000000000000000055')).toThrow(/without rounding/);
  });

  it('shifts the decimal point on digits', () => {
    expect(shiftDecimal('0.07', 2)).toBe('7');
    expect(shiftDecimal('0.575', 2)).toBe('57.5');
    expect(shiftDecimal('7', -2)).toBe('0.07');
    expect(shiftDecimal('-12.5', -3)).toBe('-0.0125');
    expect(shiftDecimal('1', 3)).toBe('1000');
  });
});

describe('numbers, dates, booleans', () => {
  it('numbers', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber(4.5)).toBe(4.5);
    expect(() => toNumber('')).toThrow(/a number/);
    expect(() => toNumber('4.5', true)).toThrow(/integer/);
    expect(() => toNumber('abc')).toThrow(/got "abc"/);
  });

  it('dates are real calendar dates', () => {
    expect(toIsoDate('2026-02-28')).toBe('2026-02-28');
    expect(() => toIsoDate('2026-02-30')).toThrow(/existing calendar date/);
    expect(() => toIsoDate('2026-2-3')).toThrow(/YYYY-MM-DD/);
    expect(() => toIsoDate(20260203)).toThrow(/YYYY-MM-DD/);
  });

  it('datetimes accept ISO with any zone spelling, and epoch ms', () => {
    expect(toIsoDatetime('2026-11-27T04:00:00.000+0000')).toBe('2026-11-27T04:00:00.000Z');
    expect(toIsoDatetime('2026-11-27T05:00:00+01:00')).toBe('2026-11-27T04:00:00.000Z');
    expect(toIsoDatetime('2026-11-27T04:00:00Z')).toBe('2026-11-27T04:00:00.000Z');
    expect(toIsoDatetime('1795752000000')).toBe('2026-11-27T04:00:00.000Z');
    expect(toIsoDatetime(1795752000000)).toBe('2026-11-27T04:00:00.000Z');
    expect(() => toIsoDatetime('2026-11-27T04:00:00')).toThrow(/time zone/);
    expect(() => toIsoDatetime('yesterday')).toThrow(/ISO-8601/);
  });

  // Texts already in UTC to the ms skip the Date round trip (values.ts); the answer must be the one
  // the round trip gives, including where Date moves a day or an hour, and the same refusals.
  it.each([
    ['2026-11-27T04:00:00.000Z', '2026-11-27T04:00:00.000Z'],
    ['2026-11-27T04:00:00.000+0000', '2026-11-27T04:00:00.000Z'],
    ['2026-11-27T04:00:00.000+00:00', '2026-11-27T04:00:00.000Z'],
    ['2026-11-28T23:59:59.999Z', '2026-11-28T23:59:59.999Z'],
    ['2024-02-29T12:00:00.000Z', '2024-02-29T12:00:00.000Z'],
    ['2023-02-29T12:00:00.000Z', '2023-03-01T12:00:00.000Z'],
    ['2026-04-31T00:00:00.000+0000', '2026-05-01T00:00:00.000Z'],
    ['2026-01-01T24:00:00.000Z', '2026-01-02T00:00:00.000Z'],
    ['2026-01-01t10:00:00.000z', '2026-01-01T10:00:00.000Z'],
    [' 2026-01-01T10:00:00.000Z ', '2026-01-01T10:00:00.000Z'],
  ])('datetime %j in UTC reads as %s, as through Date', (text, iso) => {
    expect(toIsoDatetime(text)).toBe(iso);
    expect(new Date(Date.parse(text.trim())).toISOString()).toBe(iso);
  });

  it.each([
    '2026-13-01T00:00:00.000Z',
    '2026-00-10T00:00:00.000Z',
    '2026-01-00T00:00:00.000Z',
    '2026-01-01T23:60:00.000Z',
    '2026-01-01T23:59:60.000+0000',
  ])('datetime %j is refused', (text) => {
    expect(() => toIsoDatetime(text)).toThrow(MappingValueError);
  });

  it('booleans', () => {
    expect(toBoolean(true)).toBe(true);
    expect(toBoolean('FALSE')).toBe(false);
    expect(() => toBoolean('yes')).toThrow(/true or false/);
    expect(() => toBoolean(1)).toThrow(/true or false/);
  });
});
