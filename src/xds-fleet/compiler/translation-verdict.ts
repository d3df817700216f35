import {
  servedEntry,
  SUMMARY_FIELD,
  type CompileVerdict,
  type FlaggedProblem,
  type TranslationEntry,
  type TranslationSummary,
} from '../cache/translation-record.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { PROXYLESS_VIEW_PREFIX } from '../translator/proxyless.js';
import type { TranslationProblem } from '../translator/translation-problem.js';

/**
 * Whether a compile may be published, from what it found and what the proxies are served. Pure
 * (no I/O), so every rule is unit-tested; see docs/adr/0006-translation-errors.md.
 *
 * - A translator defect (the consistency check failed) is never published.
 * - A problem on a resource that the last published compile served without a problem is a
 *   regression: publishing would take configuration away from running proxies, so the compile
 *   is not published and the proxies keep the last good one.
 * - Problems on resources that never served (new, or already with a problem at the last publish)
 *   do not block: the compile publishes with that part left out.
 */

/** What the last published compile served of a resource: `'ok'`, `'problem'`, or not in it. */
export type ServedState = 'ok' | 'problem' | undefined;

export type Rejection = {
  readonly verdict: Extract<CompileVerdict, 'rejected' | 'inconsistent'>;
  readonly reason: string;
  readonly problems: readonly FlaggedProblem[];
  /** Resources the rejection is attributed to, with their reason (REJECTED in their Describe). */
  readonly rejected: ReadonlyMap<string, string>;
};

/** The ARNs problems are attached to, once each. */
export function problemArns(problems: readonly TranslationProblem[]): string[] {
  return [...new Set(problems.map((p) => p.arn))];
}

/** Flags each problem that is a regression against what is served (`served` by ARN). */
export function flagRegressions(
  problems: readonly TranslationProblem[],
  served: ReadonlyMap<string, ServedState>,
): FlaggedProblem[] {
  return problems.map((p) => ({ arn: p.arn, message: p.message, regression: served.get(p.arn) === 'ok' }));
}

/** The rejection of a compile with regressions; `undefined` when it may be published. */
export function regressionRejection(flagged: readonly FlaggedProblem[]): Rejection | undefined {
  const regressions = flagged.filter((p) => p.regression);
  if (regressions.length === 0) return undefined;
  const first = regressions[0]!;
  const more = regressions.length > 1 ? ` (and ${regressions.length - 1} more)` : '';
  return {
    verdict: 'rejected',
    reason: `not published, the proxies keep the last good configuration: ${first.arn}: ${first.message}${more}`,
    problems: flagged,
    rejected: reasonsByArn(regressions),
  };
}

/**
 * The rejection of a compile whose views are inconsistent (a translator defect). The resources
 * whose proxy views are affected are named when a view is a proxy's (`virtualNode/<n>`,
 * `virtualGateway/<g>`, `proxyless/<service>`), the mesh itself always.
 */
export function inconsistencyRejection(
  inconsistencies: readonly string[],
  problems: readonly TranslationProblem[],
  meshArn: string,
): Rejection {
  const more = inconsistencies.length > 1 ? ` (and ${inconsistencies.length - 1} more)` : '';
  const reason = `internal error: the translation is inconsistent: ${inconsistencies[0]}${more}`;
  const rejected = new Map<string, string>([[meshArn, reason]]);
  for (const inconsistency of inconsistencies) {
    const view = inconsistency.slice(0, Math.max(0, inconsistency.indexOf(': ')));
    const arn = viewArn(meshArn, view);
    if (arn && !rejected.has(arn))
      rejected.set(arn, `internal error: the translation is inconsistent: ${inconsistency}`);
  }
  return {
    verdict: 'inconsistent',
    reason,
    problems: [
      { arn: meshArn, message: reason, regression: true },
      ...problems.map((p) => ({ arn: p.arn, message: p.message, regression: false })),
    ],
    rejected,
  };
}

/** The ARN of the resource a view is built for, when it is a proxy's view. */
function viewArn(meshArn: string, view: string): string | undefined {
  if (view.startsWith(PROXYLESS_VIEW_PREFIX))
    return `${meshArn}/virtualService/${view.slice(PROXYLESS_VIEW_PREFIX.length)}`;
  if (/^(virtualNode|virtualGateway)\/[^/]+$/.test(view)) return `${meshArn}/${view}`;
  return undefined;
}

/** Every resource of a snapshot (the mesh included), by ARN, with its API version. */
export function snapshotResources(snapshot: MeshSnapshot): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>([[snapshot.meshArn, snapshot.meshVersion]]);
  const add = (r: { arn: string; version?: number }) => out.set(r.arn, r.version);
  snapshot.virtualNodes.forEach(add);
  snapshot.virtualServices.forEach(add);
  for (const router of snapshot.virtualRouters) {
    add(router);
    router.routes.forEach(add);
  }
  for (const gateway of snapshot.virtualGateways) {
    add(gateway);
    gateway.gatewayRoutes.forEach(add);
  }
  return out;
}

/**
 * The served hash after publishing this compile: every resource, with its problems' messages.
 * A problem on an ARN that is not a resource of the snapshot is kept too (it still had a problem).
 */
export function servedRecord(snapshot: MeshSnapshot, problems: readonly TranslationProblem[]): Record<string, string> {
  const messages = messagesByArn(problems);
  const out: Record<string, string> = {};
  for (const arn of snapshotResources(snapshot).keys()) out[arn] = servedEntry(messages.get(arn) ?? []);
  for (const [arn, list] of messages) out[arn] ??= servedEntry(list);
  return out;
}

/**
 * The translation hash for this compile: every resource's state (OK, DEGRADED with its problems,
 * REJECTED with what stopped the compile), and the compile's summary.
 */
export function translationRecord(
  snapshot: MeshSnapshot,
  verdict: CompileVerdict,
  problems: readonly TranslationProblem[],
  rejected: ReadonlyMap<string, string> = new Map(),
): Record<string, string> {
  const resources = snapshotResources(snapshot);
  const messages = messagesByArn(problems);
  const out: Record<string, string> = {};
  for (const arn of new Set([...resources.keys(), ...messages.keys(), ...rejected.keys()])) {
    const version = resources.get(arn);
    const own = messages.get(arn) ?? [];
    const reason = rejected.get(arn);
    const entry: TranslationEntry =
      reason !== undefined
        ? { v: version, s: 'REJECTED', r: reason }
        : own.length > 0
          ? { v: version, s: 'DEGRADED', r: own.join('; ') }
          : { v: version };
    out[arn] = JSON.stringify(entry);
  }
  const summary: TranslationSummary = { generation: snapshot.generation, verdict };
  out[SUMMARY_FIELD] = JSON.stringify(summary);
  return out;
}

function messagesByArn(problems: readonly TranslationProblem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const list = out.get(p.arn) ?? [];
    if (!list.includes(p.message)) list.push(p.message);
    out.set(p.arn, list);
  }
  return out;
}

function reasonsByArn(problems: readonly TranslationProblem[]): Map<string, string> {
  return new Map([...messagesByArn(problems)].map(([arn, list]) => [arn, list.join('; ')]));
}
