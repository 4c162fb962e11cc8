/**
 * Every Redis key of this deployment is built here: `<prefix>:<part>:<part>…`, where at most one part
 * may be a hash tag, written `{…}`. On a Redis Cluster only the tag is hashed, so keys with the same tag
 * sit in one slot — what a Lua script, a MULTI or a pipeline over several keys needs there (Redis
 * refuses a command whose keys are in different slots: CROSSSLOT). On one Redis the braces are only
 * characters. Which tag groups what: docs/redis-cluster.md.
 */

/** The hash tag of a key: keys that must be used together by one command carry the same one. */
export interface HashTag {
  readonly tag: string;
}

/**
 * A hash tag from its parts (`hashTag('tenant', id)` → `{tenant:<id>}`). Never empty: Redis hashes a
 * key with an empty `{}` whole, which would split a group silently. A `}` inside a part would end the
 * tag early on a cluster (the slot comes from the text up to the first `}`); keys of one tag still
 * share it, but two tags could then collide, so it is refused.
 */
export function hashTag(...parts: (string | number)[]): HashTag {
  const tag = parts.map(String).join(':');
  if (tag === '' || /[{}]/.test(tag))
    throw new Error(`a Redis hash tag must be non-empty and brace-free, got ${JSON.stringify(tag)}`);
  return { tag };
}

/** `<prefix>:<parts…>`, a tag part written `{tag}`; at most one tag (only the first counts on a cluster). */
export function redisKey(prefix: string, ...parts: (string | number | HashTag)[]): string {
  if (/[{}]/.test(prefix))
    throw new Error(`a Redis key prefix must be brace-free, got ${JSON.stringify(prefix)}`);
  let tags = 0;
  const rendered = parts.map((p) => {
    if (typeof p !== 'object') return String(p);
    tags += 1;
    return `{${p.tag}}`;
  });
  if (tags > 1) throw new Error(`a Redis key takes at most one hash tag, got ${tags}: ${rendered.join(':')}`);
  return [prefix, ...rendered].join(':');
}

/** The hash tag of a key as a cluster reads it (the text of its first non-empty `{…}`), or null. */
export function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  if (open < 0) return null;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

/**
 * Items grouped by the hash tag of their key, in first-seen order: a batch over many keys (a pipeline,
 * an MGET) runs once per group, since a cluster serves one slot's keys from one node only.
 */
export function groupByTag<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const tag = hashTagOf(key) ?? key;
    let group = groups.get(tag);
    if (!group) groups.set(tag, (group = []));
    group.push(item);
  }
  return [...groups.values()];
}
