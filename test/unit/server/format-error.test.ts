import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { ValidationError } from 'class-validator';
import { CrmRateLimitedError, NotFoundError } from '../../../src/errors';
import { classifyError, formatGatewayError, INTERNAL_MESSAGE } from '../../../src/server/format-error';

describe('formatGatewayError', () => {
  const located = (original: Error) =>
    new GraphQLError(original.message, { path: ['connection'], originalError: original });

  it('keeps an AppError’s code, message and safe details', () => {
    const f = formatGatewayError(
      { message: 'x', path: ['connection'] },
      located(new NotFoundError('no connection with id "1"')),
    );
    expect(f).toEqual({
      message: 'no connection with id "1"',
      path: ['connection'],
      extensions: { code: 'NOT_FOUND' },
    });
    const rate = classifyError(
      located(new CrmRateLimitedError('budget spent', { crm: 'hubspot', retryAfterMs: 1200 })),
    );
    expect(rate).toMatchObject({
      code: 'RATE_LIMITED',
      extensions: { crm: 'hubspot', retryAfterMs: 1200, retryable: true },
    });
  });

  it('hides unknown errors behind a generic message', () => {
    const f = formatGatewayError(
      { message: 'ECONNREFUSED 10.0.0.1:27017', path: ['connection'] },
      located(new Error('ECONNREFUSED 10.0.0.1:27017')),
    );
    expect(f).toEqual({
      message: INTERNAL_MESSAGE,
      path: ['connection'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(
      classifyError(new GraphQLError('Cannot return null for non-nullable field Query.x.', { path: ['x'] }))
        .code,
    ).toBe('INTERNAL_SERVER_ERROR');
  });

  it('turns class-validator failures into BAD_USER_INPUT saying what was expected and what arrived', () => {
    const v = new ValidationError();
    v.property = 'displayName';
    v.value = 'x'.repeat(300);
    v.constraints = { maxLength: 'displayName must be shorter than or equal to 120 characters' };
    const f = formatGatewayError(
      { message: 'Argument Validation Error' },
      located(new ArgumentValidationError([v])),
    );
    expect(f.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(f.message).toBe(
      'connection: displayName: displayName must be shorter than or equal to 120 characters; got a string of 300 characters',
    );
  });

  it('maps GraphQL request errors onto our codes', () => {
    for (const code of [
      'GRAPHQL_PARSE_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
      'BAD_REQUEST',
      'BAD_USER_INPUT',
    ]) {
      expect(classifyError(new GraphQLError('m', { extensions: { code } })).code).toBe('BAD_USER_INPUT');
    }
  });
});
