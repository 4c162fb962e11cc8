import { parseValue } from 'graphql';
import { JSONObjectScalar } from '../../../src/graphql/scalars/json-object.scalar';

describe('JSONObject literals', () => {
  it('keep a __proto__ key as an own key, as JSON.parse does, so the checks refusing it see it', () => {
    const value = JSONObjectScalar.parseLiteral(
      parseValue('{ canonical: "title", __proto__: { isAdmin: true } }'),
      {},
    );
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['canonical', '__proto__']);
    expect((value as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
