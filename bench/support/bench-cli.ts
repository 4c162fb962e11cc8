/** A GraphQL request's answer body as the bench reads it. */
export type Exec = (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** GraphQL over HTTP to the gateway at `url`, with an API key. */
export function execOn(url: string, key: string): Exec {
  return async (query, variables) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
}

/** `--name=N` from the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
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
