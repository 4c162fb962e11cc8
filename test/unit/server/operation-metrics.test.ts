import { operationsTotal, recordOperation } from '../../../src/server/operation-metrics';

describe('graphql_operations_total', () => {
  const count = async (operation: string, result: string) =>
    (await operationsTotal.get()).values.find(
      (v) => v.labels.operation === operation && v.labels.result === result,
    )?.value;

  it('counts each recorded operation once, however often it is read', async () => {
    recordOperation({ operation: 'MetricsTestQuery', type: 'query', result: 'ok' }, 0.002);
    recordOperation({ operation: 'MetricsTestQuery', type: 'query', result: 'ok' }, 0.3);
    recordOperation({ operation: 'MetricsTestQuery', type: 'query', result: 'rejected' }, 0);
    expect(await count('MetricsTestQuery', 'ok')).toBe(2);
    expect(await count('MetricsTestQuery', 'ok')).toBe(2);
    expect(await count('MetricsTestQuery', 'rejected')).toBe(1);
    recordOperation({ operation: 'MetricsTestQuery', type: 'query', result: 'ok' }, 0.01);
    expect(await count('MetricsTestQuery', 'ok')).toBe(3);
    // A name that is not a GraphQL name is counted as "other", first time and after.
    recordOperation({ operation: 'not a name', type: 'query', result: 'ok' }, 0.01);
    recordOperation({ operation: 'not a name', type: 'query', result: 'ok' }, 0.01);
    expect(await count('other', 'ok')).toBe(2);
  });
});
