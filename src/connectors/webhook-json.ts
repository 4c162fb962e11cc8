/**
 * A webhook delivery's body as JSON, or undefined when it is not JSON at all. Deliveries come from
 * anyone who can reach the URL: a parser never throws on a body, it finds no events in it.
 */
export function webhookJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON object (not an array, not null): the shape every vendor's event is. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
