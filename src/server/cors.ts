import { type RequestHandler } from 'express';

/**
 * CORS for an allowlist of exact origins (CORS_ORIGINS). An origin not on the list gets no CORS
 * headers, so browsers keep the response from its page; server-to-server clients are unaffected.
 * No credentials mode: callers authenticate with a bearer key, not cookies.
 *
 * `Vary: Origin` goes on every response once an allowlist is configured, not only on allowed ones: the
 * answer depends on the Origin header either way, and a shared cache that stored a response without
 * CORS headers (no Origin, or a refused one) must not serve it to an allowed origin, nor the reverse.
 */
export function corsAllowlist(allowed: readonly string[]): RequestHandler {
  const origins = new Set(allowed);
  return (req, res, next) => {
    if (origins.size > 0) res.vary('Origin');
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader(
          'Access-Control-Allow-Headers',
          'Authorization, Content-Type, Idempotency-Key, Apollo-Require-Preflight, X-Apollo-Operation-Name',
        );
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (origin && req.method === 'OPTIONS') {
      // A preflight from an origin we do not serve: answer without CORS headers, so the browser stops.
      res.status(204).end();
      return;
    }
    next();
  };
}
