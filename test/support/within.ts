/**
 * Polls `check` until it passes, for up to `ms` (what "applies everywhere within 1 s" means in a test:
 * the effect is waited for, never timed). The last attempt's failure is the test's.
 */
export async function within(ms: number, check: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() >= until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
