import 'reflect-metadata';
import { type GraphQLRequestContextDidEncounterErrors } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { CrmUpstreamError, CrmValidationError } from '../../../src/errors';
import { type RequestContext } from '../../../src/graphql/request-context';
import { observabilityPlugin } from '../../../src/server/apollo-plugins';
import { captureLogs } from '../../support/log-capture';

/** A vendor refusing a request we built is logged for the operator with the vendor's request id. */
describe('UPSTREAM errors in the log', () => {
  async function encounter(error: Error): Promise<Record<string, unknown>[]> {
    const logs = captureLogs('info');
    const contextValue = { logger: logs.logger } as unknown as RequestContext;
    const plugin = observabilityPlugin();
    const hooks = await plugin.requestDidStart!({ contextValue } as never);
    const wrapped = new GraphQLError(error.message, { originalError: error, path: ['contacts'] });
    await hooks!.didEncounterErrors!({
      errors: [wrapped],
      contextValue,
    } as unknown as GraphQLRequestContextDidEncounterErrors<RequestContext>);
    return logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('names the CRM, status, vendor code and request id', async () => {
    const lines = await encounter(
      new CrmUpstreamError('salesforce answered HTTP 400 MALFORMED_QUERY: unexpected token', {
        crm: 'salesforce',
        status: 400,
        vendorCode: 'MALFORMED_QUERY',
        vendorRequestId: 'req-7',
      }),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        crm: 'salesforce',
        status: 400,
        vendorCode: 'MALFORMED_QUERY',
        vendorRequestId: 'req-7',
        path: ['contacts'],
      }),
    ]);
  });

  it('leaves a record the CRM found invalid to the client', async () => {
    const lines = await encounter(new CrmValidationError('bad email', { crm: 'salesforce', status: 400 }));
    expect(lines).toEqual([]);
  });
});
