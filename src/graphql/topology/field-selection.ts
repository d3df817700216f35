import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks for the field at `path` below the field being resolved (say
 * `['nodes', 'proxies']` under `topology`), through fragments and inline fragments too. Lets a
 * resolver do work for a nested field only when it is asked for, without a field resolver per
 * item (each of which runs Nest's whole guard pipeline: thousands for a large topology).
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && within(info, node.selectionSet, path));
}

function within(info: GraphQLResolveInfo, set: SelectionSetNode, path: readonly string[]): boolean {
  const [name, ...rest] = path;
  if (name === undefined) return true;
  return set.selections.some((selection) => {
    switch (selection.kind) {
      case Kind.FIELD:
        if (selection.name.value !== name) return false;
        return (
          rest.length === 0 || (selection.selectionSet !== undefined && within(info, selection.selectionSet, rest))
        );
      case Kind.INLINE_FRAGMENT:
        return within(info, selection.selectionSet, path);
      case Kind.FRAGMENT_SPREAD: {
        const fragment = info.fragments[selection.name.value];
        return fragment !== undefined && within(info, fragment.selectionSet, path);
      }
    }
  });
}
