import { resourceNameProblem } from '../../common/ids/resource-name.js';
import { envoyFormatProblem } from '../../common/validation/envoy-format.js';
import { envoyRegexProblem } from '../../common/validation/envoy-regex.js';
import { sizeRange } from './constraint-messages.js';
import type { ShapeSpec } from './shapes.js';

/**
 * meshplane's rules on top of the App Mesh model, applied by the same compiled validators to the
 * members named `Structure.member`: a refinement returns the rule a string breaks, or
 * `undefined`. Documented in docs/api/app-mesh.md and ADR 0011.
 */
export type StringRefinement = (value: string) => string | undefined;

/**
 * The members that name a new resource: the name rule applies where a name is given, at
 * creation. Lookups by name (paths, references in specs) only need valid text: a name that
 * cannot exist is simply not found, and a resource stored before the rule existed stays
 * reachable, so it can still be described and deleted.
 */
export const NEW_NAME_MEMBERS: readonly string[] = [
  'CreateMeshInput.meshName',
  'CreateVirtualNodeInput.virtualNodeName',
  'CreateVirtualServiceInput.virtualServiceName',
  'CreateVirtualRouterInput.virtualRouterName',
  'CreateRouteInput.routeName',
  'CreateVirtualGatewayInput.virtualGatewayName',
  'CreateGatewayRouteInput.gatewayRouteName',
];

/**
 * By `Structure.member`, for members whose shape is shared with plain strings: every member the
 * translator turns into an Envoy `safe_regex` (a test keeps this list equal to the model's
 * `regex` members).
 */
export const REGEX_MEMBERS: readonly string[] = [
  'HttpPathMatch.regex',
  'HeaderMatchMethod.regex',
  'GrpcRouteMetadataMatchMethod.regex',
  'GrpcMetadataMatchMethod.regex',
];

/**
 * Members that become an HTTP header name, a virtual host's domain or a path rewrite in Envoy,
 * which refuses a line break in any of them (verified with Envoy 1.40's validate mode): the whole
 * route configuration would be NACKed.
 */
export const HEADER_TEXT_MEMBERS: readonly string[] = [
  'HttpRouteHeader.name',
  'GrpcRouteMetadata.name',
  'HttpGatewayRouteHeader.name',
  'GrpcGatewayRouteMetadata.name',
  'GatewayRouteHostnameMatch.exact',
  'GatewayRouteHostnameMatch.suffix',
  'HttpGatewayRoutePrefixRewrite.value',
  'HttpGatewayRoutePathRewrite.exact',
];
const headerTextProblem: StringRefinement = (value) =>
  /[\r\n]/.test(value) ? 'must not contain a line break (CR or LF): Envoy refuses it in headers and paths' : undefined;

/**
 * Members that become a virtual host domain in Envoy, where `*` is a wildcard: `exact:
 * "*.example.com"` would silently match every subdomain, and a virtual service named `*.local` would
 * catch the traffic for every other `.local` host its callers send. Host names have no `*`.
 */
export const HOST_NAME_MEMBERS: readonly string[] = [
  'GatewayRouteHostnameMatch.exact',
  'GatewayRouteHostnameMatch.suffix',
  'CreateVirtualServiceInput.virtualServiceName',
];
const WILDCARD_RULE = 'must not contain "*" (a host name, which Envoy would take as a wildcard)';
const wildcardProblem: StringRefinement = (value) => (value.includes('*') ? WILDCARD_RULE : undefined);

/**
 * Access log formats, which Envoy parses when it loads a Listener and refuses (NACKing every
 * listener of the proxy) over an unknown command operator or a stray `%`
 * (common/validation/envoy-format.ts).
 */
export const ACCESS_LOG_FORMAT_MEMBERS: readonly string[] = ['LoggingFormat.text', 'JsonFormatRef.value'];

/**
 * The model documents a clientToken as "up to 36 letters, numbers, hyphens, and underscores" but
 * types it as a bare `String`; tokens are stored (and compared) as they are, up to 64 characters,
 * which covers every SDK's UUIDs with room to spare.
 */
export const CLIENT_TOKEN_MAX = 64;
const clientTokenRule = sizeRange('characters', 1, CLIENT_TOKEN_MAX)!;
const clientTokenProblem: StringRefinement = (value) =>
  value.length === 0 || [...value].length > CLIENT_TOKEN_MAX ? clientTokenRule : undefined;

/** Member refinements: new names, regexes, and every member the model marks as an idempotency token. */
export function memberRefinements(shapes: ReadonlyMap<string, ShapeSpec>): ReadonlyMap<string, StringRefinement> {
  const out = new Map<string, StringRefinement>(REGEX_MEMBERS.map((m) => [m, envoyRegexProblem]));
  for (const m of NEW_NAME_MEMBERS) out.set(m, resourceNameProblem);
  for (const m of HEADER_TEXT_MEMBERS) out.set(m, headerTextProblem);
  for (const m of ACCESS_LOG_FORMAT_MEMBERS) out.set(m, envoyFormatProblem);
  // On top of the member's other rule (line breaks, the name rule).
  for (const m of HOST_NAME_MEMBERS) {
    const other = out.get(m);
    out.set(m, (value) => other?.(value) ?? wildcardProblem(value));
  }
  // A listed member the model does not have would silently check nothing.
  for (const key of out.keys()) {
    const [structure = '', member = ''] = key.split('.');
    const shape = shapes.get(structure);
    if (shape?.type !== 'structure' || !shape.members.some((m) => m.name === member)) {
      throw new Error(`App Mesh model: no member ${key} to refine`);
    }
  }
  for (const shape of shapes.values()) {
    if (shape.type !== 'structure') continue;
    for (const m of shape.members) if (m.idempotencyToken) out.set(`${shape.name}.${m.name}`, clientTokenProblem);
  }
  return out;
}

/**
 * The largest duration Envoy 1.40 loads, the same in seconds and in ms: Envoy converts the
 * durations it is given to milliseconds and, to keep them within int64 nanoseconds, refuses more
 * than 9,223,372,035 s ("Duration out-of-range", validate mode), far below the 315,576,000,000 s
 * the `google.protobuf.Duration` type itself allows.
 */
export const ENVOY_MAX_DURATION_SECONDS = 9_223_372_035;
const UINT32_MAX = 4_294_967_295;
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

/**
 * Bounds the model leaves open that meshplane sets, so that a value either fits everything it
 * becomes or is refused at the API (never a NACK from every proxy, never a silently wrapped
 * number). Each appears in the OpenAPI document.
 * - `ServiceName` (a virtual service's name) has no length limit in the model, yet it is a URI
 *   label and an ARN segment like every other name: 1–255, what Terraform already enforces.
 * - `QueryParameterName` has no bound in the model; Envoy refuses an empty one: at least 1.
 * - Smithy `integer` shapes are 32-bit; the model states no bound, so the type's own applies.
 * - `DurationValue`: a `Duration` becomes an Envoy duration, which Envoy loads up to 9,223,372,035 s.
 * - `MaxRetries` and `OutlierDetectionMaxServerErrors` become Envoy `UInt32Value`s.
 */
export function restrictShapes(shapes: ReadonlyMap<string, ShapeSpec>): ReadonlyMap<string, ShapeSpec> {
  const out = new Map(shapes);
  const bound = (name: string, limits: { min?: number; max?: number }) => {
    const shape = out.get(name);
    if (shape === undefined) throw new Error(`App Mesh model: no shape ${name} to restrict`);
    if (shape.type !== 'string' && shape.type !== 'integer' && shape.type !== 'long') {
      throw new Error(`App Mesh model: ${name} is a ${shape.type}, not a string or integer`);
    }
    out.set(name, { ...shape, min: shape.min ?? limits.min, max: shape.max ?? limits.max } as ShapeSpec);
  };
  bound('ServiceName', { min: 1, max: 255 });
  // A query parameter match becomes an Envoy QueryParameterMatcher, whose name must not be empty:
  // Envoy 1.40 refuses the whole route configuration over an empty one (validate mode).
  bound('QueryParameterName', { min: 1 });
  for (const shape of shapes.values()) if (shape.type === 'integer') bound(shape.name, INT32);
  bound('DurationValue', { max: ENVOY_MAX_DURATION_SECONDS });
  bound('MaxRetries', { max: UINT32_MAX });
  bound('OutlierDetectionMaxServerErrors', { max: UINT32_MAX });
  return out;
}
