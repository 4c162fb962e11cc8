import { DvError } from '../../../../src/sandbox/dynamics/errors';
import { matches, parseFilter } from '../../../../src/sandbox/dynamics/odata-filter';
import { entityByLogicalName } from '../../../../src/sandbox/dynamics/schema';
import { type DvRecord } from '../../../../src/sandbox/dynamics/store';

const contact = entityByLogicalName('contact')!;
const T0 = Date.parse('2026-05-01T10:00:00Z');
const ACCOUNT = '7eb682f1-ca75-e511-80d4-00155d2a68d1';

function row(values: Record<string, unknown>, modifiedOn = T0): DvRecord {
  return {
    entity: 'contact',
    id: '465b158c-541c-e511-80d3-3863bb347ba8',
    values,
    version: 1,
    createdOn: T0,
    modifiedOn,
  };
}

const ada = row({
  firstname: 'Ada',
  lastname: "O'Brien",
  statecode: 0,
  parentcustomerid: { id: ACCOUNT, entity: 'account' },
  emailaddress1: null,
});

function test(filter: string, record = ada): boolean {
  return matches(parseFilter(filter, contact), record);
}

function refusal(filter: string): string {
  try {
    parseFilter(filter, contact);
  } catch (err) {
    expect(err).toBeInstanceOf(DvError);
    return (err as DvError).message;
  }
  throw new Error(`expected ${filter} to be refused`);
}

describe('parseFilter / matches', () => {
  it.each([
    ["lastname eq 'o''brien'", true],
    ["lastname ne 'O''Brien'", false],
    ["contains(lastname,'BRI')", true],
    ["startswith(firstname,'ad') and endswith(lastname,'en')", true],
    ['statecode eq 0 or statecode eq 1', true],
    ['not (statecode eq 0)', false],
    ['statecode ge 0 and statecode le 0 and statecode lt 1 and statecode gt -1', true],
    [`_parentcustomerid_value eq ${ACCOUNT.toUpperCase()}`, true],
    ['emailaddress1 eq null', true],
    ['modifiedon gt 2026-04-30T00:00:00Z', true],
    ['modifiedon lt 2026-05-01', false],
    [`Microsoft.Dynamics.CRM.In(PropertyName='firstname',PropertyValues=["Grace","ada"])`, true],
    [`Microsoft.Dynamics.CRM.In(PropertyName='firstname',PropertyValues=['Grace'])`, false],
  ])('%s → %s', (filter, expected) => {
    expect(test(filter)).toBe(expected);
  });

  it('binds "and" tighter than "or"', () => {
    expect(test('statecode eq 1 and statecode eq 1 or statecode eq 0')).toBe(true);
    expect(test('statecode eq 1 and (statecode eq 1 or statecode eq 0)')).toBe(false);
  });

  it.each([
    ['nosuch eq 1', "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.contact'."],
    [
      'parentcustomerid eq null',
      "Could not find a property named 'parentcustomerid' on type 'Microsoft.Dynamics.CRM.contact'.",
    ],
    ['lastname eq', "Expression expected at position 11 in 'lastname eq'."],
    ["lastname eq 'x", "Unterminated string literal at position 12 in 'lastname eq 'x'."],
    ['lastname foo 1', "Syntax error at position 9 in 'lastname foo 1'."],
    ['', 'The $filter expression is empty.'],
    ['lastname eq 1)', "Syntax error at position 13 in 'lastname eq 1)'."],
  ])('refuses %j', (filter, message) => {
    expect(refusal(filter)).toBe(message);
  });

  it('refuses nesting deeper than 64 levels instead of exhausting the stack', () => {
    expect(refusal(`${'('.repeat(5000)}statecode eq 0${')'.repeat(5000)}`)).toMatch(/nested more than 64/);
    expect(refusal(`${'not '.repeat(5000)}statecode eq 0`)).toMatch(/nested more than 64/);
  });
});
