import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects `name` directly beneath it — through inline fragments and
 * fragment spreads, whatever the alias. Lets a resolver skip work for a sub-field nobody asked for.
 * Type conditions are not checked: a fragment on another type counts as selecting, which only costs
 * the work it would have saved.
 */
export function selectsSubfield(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  name: string,
): boolean {
  const visited = new Set<string>();
  const selects = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === name;
      if (sel.kind === Kind.INLINE_FRAGMENT) return selects(sel.selectionSet);
      if (visited.has(sel.name.value)) return false;
      visited.add(sel.name.value);
      return selects(info.fragments[sel.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node: FieldNode) => selects(node.selectionSet));
}
