/** Response headers, names lower-cased. A repeated header keeps its values joined with ", ". */
export type ResponseHeaders = Readonly<Record<string, string>>;

/**
 * Interactive work (a GraphQL query waiting for the answer) may wait a little; background work (queue
 * jobs) never sleeps — it fails with a retryable error carrying `retryAfterMs` and the queue reschedules.
 */
export type CallPriority = 'interactive' | 'background';
