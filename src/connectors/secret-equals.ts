import crypto from 'node:crypto';

/**
 * Whether a secret a webhook delivery carries equals the one we hold, in constant time: both are hashed
 * first, so neither the length nor the content leaks through timing. Anything but a string is unequal.
 */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
