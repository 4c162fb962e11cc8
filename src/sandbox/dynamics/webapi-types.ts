// One Web API call as the dispatcher sees it, whether it came over HTTP or as a `$batch` part: the
// same handlers answer both (docs/vendors/dynamics.md "$batch").
import { API_PREFIX, API_VERSION } from './constants';
import { badRequest, type DvError } from './errors';

export interface WebApiRequest {
  method: string;
  /** Path after `/api/data/v9.2/`, still percent-encoded, e.g. `contacts(emailaddress1='a%40b.com')`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, if any. */
  body: unknown;
  /** Scheme and host the client called, e.g. `http://127.0.0.1:4102`: links are built from it. */
  origin: string;
}

export interface WebApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, text (`$count`), or nothing. */
  body?: unknown;
}

/** `https://host/api/data/v9.2/` for a request: where entity ids and links point. */
export function serviceRoot(origin: string): string {
  return `${origin}${API_PREFIX}/${API_VERSION}/`;
}

export const JSON_CONTENT_TYPE = 'application/json; odata.metadata=minimal';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): WebApiResponse {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE, 'odata-version': '4.0', ...headers }, body };
}

export function noContent(headers: Record<string, string> = {}): WebApiResponse {
  return { status: 204, headers: { 'odata-version': '4.0', ...headers } };
}

export function errorResponse(err: DvError): WebApiResponse {
  return json(err.status, err.body(), err.headers);
}

/** The preferences of a `Prefer` header (docs/vendors/dynamics.md "Headers"). */
export interface Preferences {
  returnRepresentation: boolean;
  maxPageSize?: number;
  /** Annotation patterns asked for (`*`, `OData.Community.Display.V1.FormattedValue`, `Microsoft.Dynamics.CRM.*`). */
  annotations: string[];
  trackChanges: boolean;
  continueOnError: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  const prefs: Preferences = {
    returnRepresentation: false,
    annotations: [],
    trackChanges: false,
    continueOnError: false,
  };
  for (const raw of (header ?? '').split(',')) {
    const item = raw.trim();
    const [name, ...rest] = item.split('=');
    const value = rest.join('=').trim().replace(/^"|"$/g, '');
    switch (name?.trim().toLowerCase()) {
      case 'return':
        prefs.returnRepresentation = value === 'representation';
        break;
      case 'odata.maxpagesize': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1)
          throw badRequest(`Invalid value '${value}' for preference odata.maxpagesize.`);
        prefs.maxPageSize = n;
        break;
      }
      case 'odata.include-annotations':
        prefs.annotations.push(
          ...value
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        );
        break;
      case 'odata.track-changes':
        prefs.trackChanges = true;
        break;
      case 'odata.continue-on-error':
        prefs.continueOnError = true;
        break;
      default:
        break;
    }
  }
  return prefs;
}

/** Whether an annotation (e.g. `OData.Community.Display.V1.FormattedValue`) was asked for. */
export function wantsAnnotation(prefs: Preferences, annotation: string): boolean {
  return prefs.annotations.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith('.*')) return annotation.startsWith(pattern.slice(0, -1));
    return pattern === annotation;
  });
}

/** The `Preference-Applied` value for the annotations a response honoured. */
export function annotationsApplied(prefs: Preferences): string | undefined {
  return prefs.annotations.length > 0
    ? `odata.include-annotations="${prefs.annotations.join(',')}"`
    : undefined;
}
