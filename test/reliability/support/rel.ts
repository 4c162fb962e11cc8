/**
 * The reliability suite's one figure printer (issue 23): `REL <name> <figure> <unit>` lines on stdout,
 * one per figure, written straight to the stream (not through Jest's console, which wraps each line in
 * a stack-trace block) so a run's figures can be collected with `grep '^REL '`. Scenarios print their
 * figures before they assert, so a failing run still reports them.
 */
export function rel(name: string, figure: number | string, unit: string): void {
  const value = typeof figure === 'number' && !Number.isInteger(figure) ? figure.toFixed(2) : String(figure);
  process.stdout.write(`REL ${name} ${value} ${unit}\n`);
}
