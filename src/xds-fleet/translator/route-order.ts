/**
 * The order in which routes are tried, shared by routers and gateways: priority first (0 before 1,
 * unset last), then the more specific path match (App Mesh: "a request is matched to the route
 * with the longest prefix"; an exact path or a gRPC method is more specific than any prefix), then
 * name, so the order is total and stable.
 */
export interface Orderable {
  readonly name: string;
  readonly priority?: number;
  readonly match?: {
    readonly prefix?: string;
    readonly path?: { readonly exact?: string; readonly regex?: string };
    readonly serviceName?: string;
    readonly methodName?: string;
  };
}

const UNSET_PRIORITY = 1001;
const EXACT = 100_000;

export function specificity(match: Orderable['match']): number {
  if (!match) return 0;
  if (match.serviceName !== undefined)
    return match.methodName !== undefined
      ? EXACT + match.serviceName.length + match.methodName.length
      : match.serviceName.length + 2;
  if (match.path?.exact !== undefined) return EXACT + match.path.exact.length;
  return match.prefix?.length ?? 0;
}

export function compareRoutes(a: Orderable, b: Orderable): number {
  return (
    (a.priority ?? UNSET_PRIORITY) - (b.priority ?? UNSET_PRIORITY) ||
    specificity(b.match) - specificity(a.match) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}
