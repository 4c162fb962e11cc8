import { DvError } from '../../../../src/sandbox/dynamics/errors';
import { keyText, parseRowKey } from '../../../../src/sandbox/dynamics/keys';
import { entityByLogicalName } from '../../../../src/sandbox/dynamics/schema';

const contact = entityByLogicalName('contact')!;
const ID = '465B158C-541C-E511-80D3-3863BB347BA8';

describe('parseRowKey', () => {
  it('reads a bare or named primary key, lower-cased', () => {
    expect(parseRowKey(contact, ID)).toEqual({ kind: 'id', id: ID.toLowerCase() });
    expect(parseRowKey(contact, `contactid=${ID}`)).toEqual({ kind: 'id', id: ID.toLowerCase() });
  });

  it('reads a declared alternate key with doubled quotes and commas inside the literal', () => {
    const key = parseRowKey(contact, "emailaddress1='o''brien,jr@example.com'");
    expect(key).toEqual({ kind: 'alternate', values: { emailaddress1: "o'brien,jr@example.com" } });
    expect(keyText(key)).toBe("emailaddress1='o''brien,jr@example.com'");
  });

  it.each([
    "lastname='x'",
    "emailaddress1='a',lastname='b'",
    'contactid=not-a-guid',
    'garbage',
    'emailaddress1=unquoted text',
  ])('refuses %j with the documented 400', (text) => {
    let error: unknown;
    try {
      parseRowKey(contact, text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DvError);
    expect((error as DvError).status).toBe(400);
  });
});
