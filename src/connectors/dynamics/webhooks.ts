import { isJsonObject, webhookJson } from '../webhook-json';
import { sameSecret } from '../secret-equals';
import { type CrmObject, type NativeChange, type WebhookRequest } from '../types';
import { type DynamicsApi } from './api-context';
import { TABLES } from './dynamics.constants';

/**
 * Dataverse webhooks (docs/vendors/dynamics.md "Webhooks"): a service endpoint posts one serialized
 * `RemoteExecutionContext` per event. Dataverse signs nothing; what proves a delivery is the secret the
 * endpoint was registered with — the WebhookKey, sent as the `code` query parameter, or HttpHeader
 * key/value pairs — compared here with the connection's settings in constant time.
 *
 * Parsing: MessageName Create/Update/Delete on PrimaryEntityName contact/opportunity, the row
 * PrimaryEntityId, the time OperationCreatedOn (`/Date(<ms>)/`). An Update's Target holds only the
 * columns the write set: they become `changedFields` (lookups under their read names, `_<name>_value`),
 * and no record is attached — the sync reads the row. A context over 256 KB arrives without its
 * parameters (`x-ms-dynamics-msg-size-exceeded`): the change then names no fields.
 */

export function verifyWebhook(api: DynamicsApi, req: WebhookRequest): boolean {
  const { webhookKey, webhookHeaders } = api.settings;
  if (!webhookKey && !webhookHeaders) return false;
  let code: string | null;
  try {
    code = new URL(req.url).searchParams.get('code');
  } catch {
    return false;
  }
  if (webhookKey && !sameSecret(code, webhookKey)) return false;
  for (const [name, value] of Object.entries(webhookHeaders ?? {})) {
    if (!sameSecret(req.headers[name.toLowerCase()], value)) return false;
  }
  return true;
}

interface WireContext {
  MessageName?: unknown;
  PrimaryEntityName?: unknown;
  PrimaryEntityId?: unknown;
  OperationCreatedOn?: unknown;
  OperationId?: unknown;
  InputParameters?: { key?: unknown; value?: unknown }[];
}

const OBJECT_BY_TABLE: Readonly<Record<string, CrmObject>> = Object.fromEntries(
  (Object.entries(TABLES) as [CrmObject, (typeof TABLES)[CrmObject]][]).map(([obj, t]) => [
    t.logicalName,
    obj,
  ]),
);

/** Columns every write touches: not a change of the customer's data. */
const STAMPS = new Set(['modifiedon', 'modifiedby', 'modifiedonbehalfby']);

/** `/Date(1714000000000)/` → ISO-8601. */
function msDate(value: unknown): string | null {
  const m = typeof value === 'string' ? /^\/Date\((-?\d+)\)\/$/.exec(value) : null;
  return m ? new Date(Number(m[1])).toISOString() : null;
}

function isEntityReference(value: unknown): boolean {
  const type = (value as { __type?: unknown } | null)?.__type;
  return typeof type === 'string' && type.startsWith('EntityReference:');
}

function changedFields(ctx: WireContext, obj: CrmObject): string[] | undefined {
  const target = ctx.InputParameters?.find((p) => p.key === 'Target')?.value as
    { Attributes?: { key?: unknown; value?: unknown }[] } | undefined;
  if (!target?.Attributes) return undefined;
  return target.Attributes.flatMap(({ key, value }) => {
    if (typeof key !== 'string' || STAMPS.has(key) || key === TABLES[obj].key) return [];
    return [isEntityReference(value) ? `_${key}_value` : key];
  });
}

/** The change a delivery reports; none for a body that is not a context of a table we map. */
export function parseWebhook(_api: DynamicsApi, req: WebhookRequest): NativeChange[] {
  const parsed = webhookJson(req.rawBody);
  if (!isJsonObject(parsed)) return [];
  const ctx = parsed as WireContext;
  const obj = typeof ctx.PrimaryEntityName === 'string' ? OBJECT_BY_TABLE[ctx.PrimaryEntityName] : undefined;
  const message = ctx.MessageName;
  if (!obj || typeof ctx.PrimaryEntityId !== 'string') return [];
  if (message !== 'Create' && message !== 'Update' && message !== 'Delete') return [];
  const fields = message === 'Update' ? changedFields(ctx, obj) : undefined;
  return [
    {
      object: obj,
      remoteId: ctx.PrimaryEntityId.toLowerCase(),
      kind: message === 'Delete' ? 'DELETED' : 'UPSERTED',
      occurredAt: msDate(ctx.OperationCreatedOn) ?? req.receivedAt.toISOString(),
      ...(fields ? { changedFields: fields } : {}),
      ...(typeof ctx.OperationId === 'string' ? { eventId: ctx.OperationId } : {}),
    },
  ];
}
