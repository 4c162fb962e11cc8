import { type FastifyReply } from 'fastify';

/** One Salesforce error, independent of the surface that renders it. */
export interface SfErrorItem {
  errorCode: string;
  message: string;
  fields?: string[];
}

/** A failed REST call: rendered as the documented JSON array `[{message, errorCode, fields?}]`. */
export class SfHttpError extends Error {
  readonly errors: SfErrorItem[];
  constructor(
    readonly status: number,
    errors: SfErrorItem | SfErrorItem[],
  ) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.errorCode}: ${e.message}`).join('; '));
    this.errors = list;
  }
}

/** jsforce picks the parser by Content-Type; Salesforce sends this exact value (docs/vendors/salesforce.md "Error bodies and status codes" 5). */
export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendErrors(reply: FastifyReply, status: number, errors: SfErrorItem[]): FastifyReply {
  const body = errors.map((e) =>
    e.fields
      ? { message: e.message, errorCode: e.errorCode, fields: e.fields }
      : { message: e.message, errorCode: e.errorCode },
  );
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

export const notFound = (): SfHttpError =>
  new SfHttpError(404, { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });

export const malformedQuery = (message: string): SfHttpError =>
  new SfHttpError(400, { errorCode: 'MALFORMED_QUERY', message });

/** Collections and composite SaveResults name the code `statusCode` (docs/vendors/salesforce.md "sObject Collections"). */
export function saveErrors(
  errors: SfErrorItem[],
): { statusCode: string; message: string; fields: string[] }[] {
  return errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }));
}

/** OAuth endpoints answer flat JSON objects, not arrays (docs/vendors/salesforce.md "OAuth"). */
export function sendOAuthError(
  reply: FastifyReply,
  status: number,
  error: string,
  description: string,
): FastifyReply {
  return reply
    .code(status)
    .type(JSON_TYPE)
    .send(JSON.stringify({ error, error_description: description }));
}
