import { type LoadResult, postLoad } from './http-load';

/**
 * `reads.hot_token.*`: the warm `fieldMapping` request of `reads.hot.*` with an access token minted
 * by the same key instead of the key, against the same gateway. Key and token runs are interleaved
 * round by round (drift of a shared machine hits both alike); `share_of_key` is the median of each
 * round's token/key ratio, the figure the target (≥ 95 %) is about.
 */
export interface HotTokenOptions {
  /** The gateway's `/graphql` URL. */
  url: string;
  /** The request body of `reads.hot.*`: a fieldMapping of `connectionId`. */
  body: string;
  key: string;
  connectionId: string;
  connections: number;
  seconds: number;
  rounds: number;
}

export async function hotTokenFigures(options: HotTokenOptions): Promise<void> {
  const token = await mintToken(options);
  const runs: Record<'key' | 'token', LoadResult[]> = { key: [], token: [] };
  for (let i = 0; i < options.rounds; i++) {
    for (const [kind, credential] of [
      ['key', options.key],
      ['token', token],
    ] as const) {
      const result = await postLoad(
        options.url,
        options.body,
        { authorization: `Bearer ${credential}` },
        options.connections,
        options.seconds,
      );
      // A refused token answers fast and would flatter the figure: no figures from failed requests.
      if (result.failed > 0) throw new Error(`round ${i + 1}: ${result.failed} ${kind} requests failed`);
      runs[kind].push(result);
    }
  }
  const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
  const ratios = runs.token.map((r, i) => r.rps / runs.key[i]!.rps).sort((a, b) => a - b);
  const t = median(runs.token);
  console.log(`BENCH reads.hot_token.rps ${Math.round(t.rps)} req/s`);
  console.log(`BENCH reads.hot_token.p99_ms ${t.p99.toFixed(2)} ms`);
  console.log(`BENCH reads.hot_token.key_rps ${Math.round(median(runs.key).rps)} req/s`);
  console.log(
    `BENCH reads.hot_token.share_of_key ${(100 * ratios[Math.floor(ratios.length / 2)]!).toFixed(1)} %`,
  );
}

/** A READ token for the connection's contacts, minted over the API as a backend would. */
async function mintToken(options: HotTokenOptions): Promise<string> {
  const res = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
    body: JSON.stringify({
      query: 'mutation M($i: CreateAccessTokenInput!) { createAccessToken(input: $i) { token } }',
      variables: {
        i: { scope: 'READ', connectionIds: [options.connectionId], objects: ['CONTACT'], subject: 'bench' },
      },
    }),
  });
  const body = (await res.json()) as { data?: { createAccessToken: { token: string } }; errors?: unknown };
  if (!body.data) throw new Error(`createAccessToken failed: ${JSON.stringify(body.errors)}`);
  return body.data.createAccessToken.token;
}
