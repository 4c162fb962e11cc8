import { describeRequest } from '../../../../src/connectors/http/call-errors';

describe('describeRequest', () => {
  it('names the method and path, never the query string or fragment', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `'003${String(i).padStart(15, '0')}'`).join(',');
    expect(
      describeRequest({
        method: 'GET',
        url: `https://x.my.salesforce.com/services/data/v62.0/query?q=SELECT+Id+FROM+Contact+WHERE+Id+IN+(${ids})`,
      }),
    ).toBe('GET /services/data/v62.0/query');
    expect(describeRequest({ method: 'POST', url: '/crm/v3/objects/contacts/batch/read#x?y' })).toBe(
      'POST /crm/v3/objects/contacts/batch/read',
    );
    // The path as URL parsing writes it (dot segments resolved, spaces encoded).
    expect(describeRequest({ method: 'GET', url: '/a/../b c?secret=1' })).toBe('GET /b%20c');
  });
});
