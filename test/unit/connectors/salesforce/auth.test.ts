import { salesforceHooks } from '../../../../src/connectors/salesforce/hooks';
import { CrmConflictError } from '../../../../src/errors';

describe('Salesforce hooks', () => {
  const res = (status: number, json: unknown) => ({ status, headers: {}, text: JSON.stringify(json), json });

  it('refreshes on a 401 except the ones a refresh cannot cure', () => {
    const isExpired = salesforceHooks.isSessionExpired!;
    expect(
      isExpired(res(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }])),
    ).toBe(true);
    expect(
      isExpired(
        res(401, [
          { errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' },
        ]),
      ),
    ).toBe(false);
    expect(isExpired(res(403, []))).toBe(false);
  });

  it('types a duplicate as CONFLICT whatever the status', () => {
    const err = salesforceHooks.parseError!(
      res(400, [{ errorCode: 'DUPLICATE_VALUE', message: 'duplicate value found' }]),
      { crm: 'salesforce' },
    );
    expect(err).toBeInstanceOf(CrmConflictError);
    expect(err.vendorCode).toBe('DUPLICATE_VALUE');
  });
});
