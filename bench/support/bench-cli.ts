export { execOn, type GraphqlExec as Exec } from '../../test/support/write-contract';

/** `--name=N` from the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** `--name=a,b` from the command line as a list, else `fallback`. */
export function listArg(name: string, fallback: readonly string[]): string[] {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3).split(',') : [...fallback];
}

/** Runs a bench's `main`: exit 0 when it finished, 1 with the error when it failed. */
export function runBench(main: () => Promise<void>): void {
  main()
    .then(() => process.exit(0))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
