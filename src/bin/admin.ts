import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ADMIN_COMMANDS, adminUsage } from '../admin/commands';
import { env as processEnv } from '../config/env';
import { isAppError } from '../errors';
import { createLogger } from '../logger';
import { createAppContext, type AppContext } from '../runtime/context';
import { storesForCommand } from '../runtime/local-stores';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [commandName, ...rest] = positionals;
  const command = commandName ? ADMIN_COMMANDS[commandName] : undefined;
  if (!command || values.help) {
    console.error(adminUsage());
    return commandName && !values.help ? 2 : 0;
  }
  const env = processEnv();
  let ctx: AppContext | undefined;
  const stores = command.needsStores ? await storesForCommand(env) : undefined;
  try {
    if (stores) {
      ctx = await createAppContext({
        env,
        logger: createLogger({ level: 'warn', name: 'admin' }),
        mongodbUri: stores.mongodbUri,
        redisUrl: stores.redisUrl,
      });
    }
    const result = await command.run(ctx, { positionals: rest, options: values });
    const { lines, exitCode = 0 } = Array.isArray(result) ? { lines: result } : result;
    for (const line of lines) console.log(line);
    return exitCode;
  } catch (err) {
    if (isAppError(err)) {
      console.error(`error (${err.code}): ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await ctx?.close();
    await stores?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('admin command failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
