import { MAX_AUDIT_TARGET_IDS } from './audit.types';

/**
 * What a mutation touched, read from its arguments and its answer — ids only, never values: arguments
 * named `id`/`…Id` or `ids`/`…Ids`, an identity provider's `issuer`, the `id` of each list item, an
 * access token's `input.connectionIds`, and the `id` of what the mutation returned (the operations it
 * queued, the connection it made). Inputs, credentials, overrides and tokens are never looked at.
 */

export interface MutationTargets {
  connectionId: string | null;
  targetIds: string[];
  targetCount: number;
}

type Bag = Record<string, unknown>;

const isBag = (v: unknown): v is Bag => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function mutationTargets(
  args: Bag,
  result: unknown,
  /** The mutation's return type is a connection: its id is the connection acted on. */
  returnsConnection: boolean,
): MutationTargets {
  const ids: string[] = [];
  const add = (v: unknown) => {
    const s = str(v);
    if (s !== null && !ids.includes(s)) ids.push(s);
  };
  for (const [name, value] of Object.entries(args)) {
    if (name === 'id' || name.endsWith('Id') || name === 'issuer') add(value);
    else if ((name === 'ids' || name.endsWith('Ids')) && Array.isArray(value)) value.forEach(add);
  }
  const items = Array.isArray(args.items) ? args.items : null;
  for (const item of items ?? []) if (isBag(item)) add(item.id);
  if (isBag(args.input) && Array.isArray(args.input.connectionIds)) args.input.connectionIds.forEach(add);

  const answered = Array.isArray(result) ? result : result === undefined || result === null ? [] : [result];
  for (const node of answered) if (isBag(node)) add(node.id);

  const first = answered.find(isBag);
  const connectionId =
    str(args.connectionId) ??
    (returnsConnection ? (str(first?.id) ?? str(args.id)) : null) ??
    str(first?.connectionId);
  return {
    connectionId,
    targetIds: ids.slice(0, MAX_AUDIT_TARGET_IDS),
    targetCount: items?.length ?? (Array.isArray(result) ? result.length : 1),
  };
}
