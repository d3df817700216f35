/**
 * What a mesh resource name (mesh, virtual node/service/router, route, virtual gateway, gateway
 * route) may be, on top of the App Mesh model's 1–255 characters. Names are joined with `/` into
 * ARNs (`mesh/<m>/virtualNode/<n>`) and proxies' node ids, so a `/` inside a name would let
 * mesh `x/virtualNode/y` and node `y` of mesh `x` share one ARN. Control characters are invisible
 * in logs, the CLI and Envoy's admin output; `.` and `..` are removed from URL paths by clients
 * and proxies that normalise dot segments, so such a name could never be described or deleted.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const NAME_RULE = {
  slash: 'must not contain "/" (it separates the parts of an ARN and of a proxy\'s node id)',
  control: 'must not contain control characters (U+0000 to U+001F, U+007F to U+009F)',
  dots: 'must not be "." or ".." (URL paths drop such segments)',
} as const;

/** The rule `name` breaks, or `undefined` for a name that identifies one resource unambiguously. */
export function resourceNameProblem(name: string): string | undefined {
  if (name.includes('/')) return NAME_RULE.slash;
  if (CONTROL.test(name)) return NAME_RULE.control;
  if (name === '.' || name === '..') return NAME_RULE.dots;
  return undefined;
}
