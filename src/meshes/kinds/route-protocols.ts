import { at, listenerPorts, type Spec } from '../resources/kind-rules.js';

/** The route members of a route or gateway route spec and the listener protocol each serves. */
const ROUTE_PROTOCOL: Record<string, string> = {
  httpRoute: 'http',
  http2Route: 'http2',
  grpcRoute: 'grpc',
  tcpRoute: 'tcp',
};

/**
 * A route spec sets exactly one of its route members, of a protocol the parent (router or
 * gateway) listens with; a match port must be one of the parent's listener ports, and is
 * required when the parent has several listeners.
 */
export function routeTypeProblems(
  spec: Spec,
  parentSpec: Spec | undefined,
  parentKind: string,
  allowed: readonly string[],
): { problems: string[]; member?: string } {
  const set = allowed.filter((m) => spec[m] !== undefined);
  if (set.length !== 1) {
    return {
      problems: [
        `spec: must set exactly one of ${allowed.join(', ')} (found ${set.length === 0 ? 'none' : set.join(', ')})`,
      ],
    };
  }
  const member = set[0]!;
  const problems: string[] = [];
  const listeners = listenerPorts(parentSpec);
  const protocol = ROUTE_PROTOCOL[member];
  const ports = listeners.filter((l) => l.protocol === protocol).map((l) => l.port);
  if (ports.length === 0) {
    problems.push(
      `spec.${member}: the ${parentKind} has no ${String(protocol)} listener (its listeners: ${listeners.map((l) => `${String(l.protocol)}:${String(l.port)}`).join(', ') || 'none'})`,
    );
  }
  const matchPort = at(spec, member, 'match', 'port');
  if (matchPort !== undefined && !ports.includes(matchPort)) {
    problems.push(
      `spec.${member}.match.port: must be the port of one of the ${parentKind}'s ${String(protocol)} listeners (${ports.join(', ') || 'none'})`,
    );
  }
  if (matchPort === undefined && listeners.length > 1 && member !== 'tcpRoute') {
    problems.push(`spec.${member}.match.port: is required because the ${parentKind} has ${listeners.length} listeners`);
  }
  return { problems, member };
}
