/** A response with its body read as text and, when it parses, as JSON. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * One HTTP call for sandbox tests: a JSON body (a string is sent as is) with its content type, the
 * given headers, and the answer read once as text and JSON.
 */
export async function requestJson<T = unknown>(
  url: string,
  method: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.headers ?? {}),
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: parseJson(text) as T, text };
}
