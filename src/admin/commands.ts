import os from 'node:os';
import { BadUserInputError } from '../errors';
import { pingWorker } from '../queue/system.producer';
import { type AppContext } from '../runtime/context';
import { API_KEY_SCOPES, type ApiKeyScope } from '../security/api-keys';
import { KeyRing } from '../security/credentials-cipher';
import { type ApiKeyInfo } from '../store/repositories/api-keys.repo';

/**
 * The operator's commands (`npm run admin -- <command>`). Each returns lines to print; none prompts.
 */
export interface AdminArgs {
  positionals: string[];
  options: { tenant?: string; name?: string; scope?: string };
}

/** What a command prints, and whether it did all it was asked (a partial success exits non-zero). */
export interface AdminResult {
  lines: string[];
  /** @defaultValue 0 */
  exitCode?: number;
}

export interface AdminCommand {
  usage: string;
  /** Whether the command needs the stores (keys:generate-credentials-key does not). */
  needsStores: boolean;
  run(ctx: AppContext | undefined, args: AdminArgs): Promise<string[] | AdminResult>;
}

/** Exit code of a command that did part of its work (e.g. some credentials could not be re-encrypted). */
export const PARTIAL_FAILURE_EXIT_CODE = 3;

function requireArg(value: string | undefined, what: string): string {
  if (!value) throw new BadUserInputError(`missing ${what}`);
  return value;
}

/**
 * Records a key change in the tenant's audit log (src/audit/), the operator named by the OS account
 * the command ran as: the CLI has no API key of its own.
 */
async function auditKeyChange(ctx: AppContext, action: string, key: ApiKeyInfo): Promise<void> {
  await ctx.audit.record({
    tenantId: key.tenantId,
    actor: { kind: 'ADMIN_CLI', keyId: null, subject: `os:${os.userInfo().username}` },
    action,
    connectionId: null,
    targetIds: [key.id],
    targetCount: 1,
    outcome: 'SUCCEEDED',
    errorCode: null,
  });
}

function parseScope(value: string | undefined): ApiKeyScope {
  const scope = value ?? 'read_write';
  if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) {
    throw new BadUserInputError(
      `--scope must be one of ${API_KEY_SCOPES.join(', ')}, got ${JSON.stringify(scope)}`,
    );
  }
  return scope as ApiKeyScope;
}

export const ADMIN_COMMANDS: Record<string, AdminCommand> = {
  'tenants:create': {
    usage: 'tenants:create <name>',
    needsStores: true,
    async run(ctx, { positionals }) {
      const tenant = await ctx!.store.tenants.create(requireArg(positionals[0], 'tenant name'));
      return [`created tenant ${tenant.id} (${tenant.name})`];
    },
  },
  'tenants:list': {
    usage: 'tenants:list',
    needsStores: true,
    async run(ctx) {
      const tenants = await ctx!.store.tenants.list();
      return tenants.length === 0
        ? ['no tenants']
        : tenants.map((t) => `${t.id}  ${t.name}  created ${t.createdAt.toISOString()}`);
    },
  },
  'keys:create': {
    usage: 'keys:create --tenant <id|name> [--name <label>] [--scope read|read_write]',
    needsStores: true,
    async run(ctx, { options }) {
      const tenant = await ctx!.store.tenants.resolve(requireArg(options.tenant, '--tenant'));
      const { key, info } = await ctx!.store.apiKeys.create(
        tenant.id,
        options.name ?? 'api key',
        parseScope(options.scope),
      );
      await auditKeyChange(ctx!, 'createApiKey', info);
      return [
        `created ${info.scope} key ${info.id} (prefix ${info.prefix}) for tenant ${tenant.name}`,
        'The key is shown this once; only its hash is stored:',
        key,
      ];
    },
  },
  'keys:list': {
    usage: 'keys:list --tenant <id|name>',
    needsStores: true,
    async run(ctx, { options }) {
      const tenant = await ctx!.store.tenants.resolve(requireArg(options.tenant, '--tenant'));
      const keys = await ctx!.store.apiKeys.listForTenant(tenant.id);
      return keys.length === 0
        ? [`tenant ${tenant.name} has no keys`]
        : keys.map(
            (k) =>
              `${k.id}  cgw_${k.prefix}_…  ${k.scope}  ${k.name}  ` +
              (k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active') +
              `  last used ${k.lastUsedAt ? k.lastUsedAt.toISOString() : 'never'}`,
          );
    },
  },
  'keys:revoke': {
    usage: 'keys:revoke <key id|prefix>',
    needsStores: true,
    async run(ctx, { positionals }) {
      const info = await ctx!.store.apiKeys.revoke(requireArg(positionals[0], 'key id or prefix'));
      await auditKeyChange(ctx!, 'revokeApiKey', info);
      // The repository has broadcast the revocation: every gateway drops the key from its cache and
      // closes its sockets (src/server/api-key-cache.ts).
      return [`revoked key ${info.id} (prefix ${info.prefix}) at ${info.revokedAt!.toISOString()}`];
    },
  },
  'keys:set-scope': {
    usage: 'keys:set-scope <key id|prefix> --scope read|read_write',
    needsStores: true,
    async run(ctx, { positionals, options }) {
      const scope = parseScope(requireArg(options.scope, '--scope'));
      const info = await ctx!.store.apiKeys.setScope(requireArg(positionals[0], 'key id or prefix'), scope);
      await auditKeyChange(ctx!, 'setApiKeyScope', info);
      // Broadcast by the repository: every gateway applies it to the key's next request and socket operation.
      return [`key ${info.id} (prefix ${info.prefix}) now has scope ${info.scope}`];
    },
  },
  'keys:generate-credentials-key': {
    usage: 'keys:generate-credentials-key [kid]',
    needsStores: false,
    async run(_ctx, { positionals }) {
      return [
        'A new credentials key. Put it FIRST in CREDENTIALS_KEYS (comma-separated), keep the old ones after it,',
        'restart, then run credentials:reencrypt; remove old keys only after that.',
        KeyRing.generateSpec(positionals[0]),
      ];
    },
  },
  'credentials:reencrypt': {
    usage: 'credentials:reencrypt',
    needsStores: true,
    async run(ctx) {
      const { scanned, reencrypted, failedIds } = await ctx!.store.connections.reencryptAll();
      const lines = [
        `scanned ${scanned} connections, re-encrypted ${reencrypted} under key ${ctx!.keyRing.currentKid}`,
      ];
      if (failedIds.length === 0) return lines;
      lines.push(
        `${failedIds.length} could not be decrypted (tampered, or their key is gone): ${failedIds.join(', ')}`,
      );
      // Non-zero, so a rotation script stops before the operator drops the old keys.
      return { lines, exitCode: PARTIAL_FAILURE_EXIT_CODE };
    },
  },
  'worker:ping': {
    usage: 'worker:ping',
    needsStores: true,
    async run(ctx) {
      const reply = await pingWorker(ctx!.queues);
      return [`worker ${reply.workerId} answered at ${reply.receivedAt}`];
    },
  },
};

export function adminUsage(): string {
  return [
    'usage: npm run admin -- <command>',
    ...Object.values(ADMIN_COMMANDS).map((c) => `  ${c.usage}`),
  ].join('\n');
}
