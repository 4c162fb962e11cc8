import { GraphQLError } from 'graphql';
import { mongo } from 'mongoose';
import { ServerConfigError } from '../../../src/errors';
import { classifyError, formatGatewayError, INTERNAL_MESSAGE } from '../../../src/server/format-error';
import { isStoreUnavailableError } from '../../../src/store/errors';

/**
 * Failures that are neither a bug nor the client's fault — a store that does not answer, a server
 * configuration that refuses a stored connection — answer UNAVAILABLE (retryable), never
 * INTERNAL_SERVER_ERROR or BAD_USER_INPUT, and are flagged for the server log.
 */
describe('UNAVAILABLE for what is not the client’s doing', () => {
  const located = (original: Error) =>
    new GraphQLError(original.message, { path: ['connections'], originalError: original });

  // The errors the MongoDB driver, mongoose and ioredis raise when their server is gone (the messages
  // are theirs, as measured against a killed FerretDB / redis-server).
  const outages: [string, Error][] = [
    [
      'MongoDB server selection timing out',
      new mongo.MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:40123', {
        type: 'Unknown',
        servers: new Map(),
      } as unknown as ConstructorParameters<typeof mongo.MongoServerSelectionError>[1]),
    ],
    ['a MongoDB connection breaking', new mongo.MongoNetworkError('connection 3 to 127.0.0.1:40123 closed')],
    [
      'mongoose buffering past bufferTimeoutMS',
      Object.assign(new Error('Operation `tenants.findOne()` buffering timed out after 1500ms'), {
        name: 'MongooseError',
      }),
    ],
    [
      'ioredis giving up while reconnecting',
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
    ],
    ['the ioredis command timeout', new Error('Command timed out')],
    [
      'a store error wrapped by our code',
      new Error('loading the tenant failed', { cause: new Error('Command timed out') }),
    ],
  ];

  it.each(outages)('maps %s to a retryable UNAVAILABLE without the driver’s details', (_what, err) => {
    expect(isStoreUnavailableError(err)).toBe(true);
    const c = classifyError(located(err));
    expect(c).toMatchObject({ code: 'UNAVAILABLE', extensions: { retryable: true }, internal: true });
    expect(c.message).toMatch(/not reachable right now; retry/);
    expect(c.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|tenants/);
  });

  it('leaves other failures INTERNAL_SERVER_ERROR', () => {
    for (const err of [
      new Error('Cannot read properties of undefined'),
      new mongo.MongoServerError({ code: 2 }),
    ]) {
      expect(isStoreUnavailableError(err)).toBe(false);
      expect(formatGatewayError({ message: err.message }, located(err)).extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
      });
      expect(classifyError(located(err)).message).toBe(INTERNAL_MESSAGE);
    }
  });

  it('answers a server configuration problem with a generic UNAVAILABLE and keeps the reason for the log', () => {
    const err = new ServerConfigError('stored connection 65ab… needs ALLOW_VENDOR_URL_OVERRIDES=true');
    const f = formatGatewayError({ message: err.message, path: ['contacts'] }, located(err));
    expect(f.extensions).toEqual({ code: 'UNAVAILABLE', retryable: true });
    expect(f.message).not.toMatch(/ALLOW_VENDOR_URL_OVERRIDES|65ab/);
    expect(f.message).toMatch(/configuration/);
    // `internal`: the Apollo and WebSocket paths log it, with `operatorMessage`, for the operator.
    expect(classifyError(located(err)).internal).toBe(true);
    expect(err.operatorMessage).toMatch(/ALLOW_VENDOR_URL_OVERRIDES/);
  });
});
