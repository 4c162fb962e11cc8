import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type RedisClient } from './client';

/**
 * A Lua script from a `lua/` folder under `src/`, beside the module that runs it (named
 * `name-<numKeys>.lua`, each opening with its KEYS/ARGV contract), run by EVALSHA with a fallback to
 * EVAL when the server does not have it cached yet. Shared by every module that keeps state in Redis
 * (budgets, the token refresh lock, the request limiter), so it belongs to none of them.
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

  /** @param dir the script's folder relative to `src/` (`ratelimit/lua`): each module keeps its own */
  static load(name: string, dir: string): LuaScript {
    return new LuaScript(name, fs.readFileSync(locate(`${name}.lua`, dir), 'utf8'));
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
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
 * tsc does not copy .lua files to dist/. A build step (`scripts/copy-assets.js`) puts them at the same
 * path under the compiled tree (`dist/<dir>/`); otherwise they are found in the source tree by walking
 * up from here to the directory holding `src/<dir>/` (works for dist/, dist/bench/src/… and ts-jest alike).
 */
function locate(file: string, luaDir: string): string {
  // This module sits in `<compiled root>/redis/`.
  const beside = path.join(__dirname, '..', luaDir, file);
  if (fs.existsSync(beside)) return beside;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', luaDir, file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`Lua script ${file} not found under ${__dirname}/.. nor in a src/${luaDir}/ above it`);
}
