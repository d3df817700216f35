import { getAt, setAt, type Spec } from './access';

/** A route's weighted target, as App Mesh's RouteSpec carries it. */
export interface WeightedTarget {
  readonly virtualNode: string;
  readonly weight: number;
  readonly port?: number;
}

/** Every route protocol App Mesh has; a spec uses exactly one. */
const ROUTE_PROTOCOLS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

function actionPath(spec: Spec): string | undefined {
  const protocol = ROUTE_PROTOCOLS.find((p) => spec[p] !== undefined);
  return protocol && `${protocol}.action.weightedTargets`;
}

/** The route's weighted targets (empty when the spec has no route protocol). */
export function weightedTargets(spec: Spec): WeightedTarget[] {
  const path = actionPath(spec);
  const targets = path ? getAt(spec, path) : undefined;
  return Array.isArray(targets) ? (targets as WeightedTarget[]) : [];
}

/** The spec with each target's weight replaced, everything else kept (an update replaces the spec). */
export function withWeights(spec: Spec, weights: readonly number[]): Spec {
  const path = actionPath(spec);
  if (!path) return spec;
  const targets = weightedTargets(spec).map((t, i) => ({ ...t, weight: weights[i] ?? t.weight }));
  return setAt(spec, path, targets);
}
