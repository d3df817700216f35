import type { ResourceKind } from '../../generated/prisma/client.js';
import type { PlanQuotas } from '../../billing/plans/plan-quotas.js';

/** Another resource of the same mesh that a spec names, with the field that names it. */
export interface ReferenceTo {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly field: string;
}

/**
 * What distinguishes one kind of mesh resource from another. Shapes, types and ranges are
 * checked against the App Mesh model before a spec reaches these rules; the rules add what
 * the model's documentation states in prose (uniqueness, cross-field and cross-resource rules).
 */
export interface KindRules {
  readonly kind: ResourceKind;
  /** The API's name of the kind, as App Mesh writes it in messages: `VirtualNode`. */
  readonly apiName: string;
  /** The input/output member holding the name: `virtualNodeName`. */
  readonly nameMember: string;
  /** Routes live under a router, gateway routes under a gateway. */
  readonly parent?: { readonly kind: 'virtualRouter' | 'virtualGateway'; readonly nameMember: string };
  readonly quota: { readonly key: keyof PlanQuotas; readonly per: 'mesh' | 'parent' };
  /**
   * Names are DNS host names (virtual services): unique in the mesh without regard to ASCII
   * letter case, as clients and Envoy compare them (common/ids/host-name.ts).
   */
  readonly hostNames?: true;
  /** Resources the spec names that must exist when it is written (and then cannot be deleted). */
  references(spec: Spec): ReferenceTo[];
  /** Problems as `<field>: <rule>`; `parentSpec` is the router's or gateway's spec for child kinds. */
  check(spec: Spec, context: { readonly parentSpec?: Spec; readonly quotas: PlanQuotas }): string[];
}

/** A spec that already passed model validation: objects, lists and scalars as the model describes. */
export type Spec = { readonly [member: string]: unknown };

/** Reads a nested member without trusting its type; specs are validated, but rules stay defensive. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Problems for values that repeat in a list, e.g. two listeners on one port. */
export function duplicates(values: { readonly value: unknown; readonly field: string }[], rule: string): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { value, field } of values) {
    if (value === undefined) continue;
    const key = JSON.stringify(value);
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${field}: ${rule} (same as ${first})`);
    else seen.set(key, field);
  }
  return problems;
}

/** The listeners' port mappings of a virtual node, router or gateway spec. */
export function listenerPorts(spec: Spec | undefined): { port: unknown; protocol: unknown }[] {
  return list(at(spec, 'listeners')).map((l) => ({
    port: at(l, 'portMapping', 'port'),
    protocol: at(l, 'portMapping', 'protocol'),
  }));
}

/**
 * Rules the model's documentation states for a node's or gateway's listener: the health check
 * probes the listener's own port, HTTP checks need a path, and a connection pool uses the
 * listener's protocol.
 */
export function listenerProblems(listener: unknown, field: string): string[] {
  const problems: string[] = [];
  const port = at(listener, 'portMapping', 'port');
  const protocol = at(listener, 'portMapping', 'protocol');
  const check = at(listener, 'healthCheck');
  if (check !== undefined) {
    const checkProtocol = at(check, 'protocol');
    if ((checkProtocol === 'http' || checkProtocol === 'http2') && at(check, 'path') === undefined) {
      problems.push(
        `${field}.healthCheck.path: is required when the health check protocol is ${String(checkProtocol)}`,
      );
    }
    const checkPort = at(check, 'port');
    if (checkPort !== undefined && checkPort !== port) {
      problems.push(`${field}.healthCheck.port: must be the listener's port ${String(port)}`);
    }
  }
  // Envoy requires both outlier detection durations to be greater than 0s and refuses the cluster
  // otherwise: every proxy that calls this node (and the node's own) would NACK it.
  for (const duration of ['interval', 'baseEjectionDuration']) {
    if (at(listener, 'outlierDetection', duration, 'value') === 0) {
      problems.push(
        `${field}.outlierDetection.${duration}.value: must be greater than 0 (Envoy refuses a zero duration here)`,
      );
    }
  }
  const pool = at(listener, 'connectionPool');
  if (pool !== null && typeof pool === 'object') {
    const poolProtocol = Object.keys(pool)[0];
    if (poolProtocol !== undefined && poolProtocol !== protocol) {
      problems.push(
        `${field}.connectionPool: must be for the listener's protocol ${String(protocol)}, not ${poolProtocol}`,
      );
    }
  }
  return problems;
}

/**
 * A JSON access log format is one JSON object per request: a key given twice would silently keep
 * only its last value (Envoy's `json_format` is an object), so it is refused.
 */
export function accessLogProblems(spec: Spec | undefined): string[] {
  const json = list(at(spec, 'logging', 'accessLog', 'file', 'format', 'json'));
  return duplicates(
    json.map((entry, i) => ({ value: at(entry, 'key'), field: `spec.logging.accessLog.file.format.json[${i}].key` })),
    'each key of a JSON log format must be different',
  );
}

/**
 * "Set exactly one of" for structures the model leaves as plain optional members although its
 * documentation means a choice (HttpPathMatch exact/regex, GatewayRouteHostnameMatch exact/suffix).
 */
export function exactlyOne(value: unknown, members: readonly string[], field: string): string[] {
  if (value === undefined || value === null || typeof value !== 'object') return [];
  const set = members.filter((m) => (value as Record<string, unknown>)[m] !== undefined);
  return set.length === 1 ? [] : [`${field}: must set exactly one of ${members.join(', ')}`];
}
