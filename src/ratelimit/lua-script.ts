import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';

/**
 * A Lua script from `src/ratelimit/lua/` (named `name-<numKeys>.lua`, each opening with its KEYS/ARGV
 * contract), run by EVALSHA with a fallback to EVAL when the server does not have it cached yet.
 */
export class LuaScript {
  readonly numKeys: number;
  readonly sha: string;

  private constructor(
    readonly name: string,
    readonly source: string,
  ) {
    const m = /-(\d+)$/.exec(name);
    if (!m) throw new Error(`Lua script name ${JSON.stringify(name)} must end with -<numKeys>`);
    this.numKeys = Number(m[1]);
    this.sha = crypto.createHash('sha1').update(source).digest('hex');
  }

  static load(name: string): LuaScript {
    return new LuaScript(name, fs.readFileSync(locate(`${name}.lua`), 'utf8'));
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numKeys)
      throw new Error(`${this.name} takes ${this.numKeys} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.numKeys, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return redis.eval(this.source, this.numKeys, ...keys, ...args);
    }
  }
}

/**
 * tsc does not copy .lua files to dist/, so compiled code finds them in the source tree
 * (`dist/ratelimit` → `src/ratelimit/lua`) unless a build step put a copy next to it.
 */
function locate(file: string): string {
  const candidates = [
    path.join(__dirname, 'lua', file),
    path.resolve(__dirname, '..', '..', 'src', 'ratelimit', 'lua', file),
  ];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`Lua script ${file} not found in ${candidates.join(' or ')}`);
  return found;
}
