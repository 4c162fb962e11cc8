// Dataverse Web API error bodies (docs/vendors/dynamics.md "Errors"): `{"error":{"code","message"}}`,
// the code a hex Dataverse error code. One class for every failure a handler raises, so routes throw
// and one error handler renders.

/** Hex codes of the documented errors, by name ("Errors"). */
export const DV_CODES = {
  objectDoesNotExist: '0x80040217',
  duplicateRecord: '0x80040237',
  concurrencyVersionMismatch: '0x80060882',
  /** OData URI / body syntax errors (bad $filter, unknown property). */
  badRequest: '0x80060888',
  invalidArgument: '0x80040203',
  /** A string longer than its column allows. */
  stringTooLong: '0x80044331',
  /** A choice value that is not one of the column's options. */
  choiceOutOfRange: '0x8004431a',
  /** A number outside its column's range. */
  numberOutOfRange: '0x80044330',
  privilegeDenied: '0x80040220',
  resourceNotFound: '0x8006088a',
  requestCountLimit: '0x80072322',
  executionTimeLimit: '0x80072321',
  concurrencyLimit: '0x80072326',
  expiredVersionStamp: '0x80044352',
  /** The code of a closed-opportunity or state-change refusal is UNVERIFIED ("Opportunities"). */
  invalidStateChange: '0x80040203',
  unexpected: '0x80040216',
} as const;

export interface DvErrorBody {
  error: { code: string; message: string };
}

/** A failure that becomes one Web API response (status, hex code, message). */
export class DvError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DvError';
  }

  body(): DvErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function badRequest(message: string): DvError {
  return new DvError(400, DV_CODES.badRequest, message);
}

/** "<entity> With Id = <guid> Does Not Exist" (404), the documented message. */
export function notFound(entity: string, id: string): DvError {
  return new DvError(404, DV_CODES.objectDoesNotExist, `${entity} With Id = ${id} Does Not Exist`);
}

export function unknownProperty(entity: string, name: string): DvError {
  return badRequest(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity}'.`);
}

export function methodNotAllowed(message: string): DvError {
  return new DvError(405, DV_CODES.badRequest, message);
}

export function unknownResource(path: string): DvError {
  return new DvError(404, DV_CODES.resourceNotFound, `Resource not found for the segment '${path}'.`);
}
