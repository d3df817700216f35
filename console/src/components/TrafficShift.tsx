import { useEffect, useRef, useState } from 'preact/hooks';
import { kindById } from '../api/kinds';
import { progressOf, readPropagation, watchPropagation, type ChangeProgress } from '../api/propagation';
import { saveResource, type Resource } from '../api/resources';
import { weightedTargets, withWeights } from '../spec/traffic';
import { ErrorMessage } from './ErrorMessage';

/**
 * Traffic shifting on a route: a slider per weighted target, "Apply" writes a new version of the
 * route, then the change is followed until every connected proxy has it (or the compile is refused).
 */
export function TrafficShift({ mesh, route, onApplied }: { mesh: string; route: Resource; onApplied: () => void }) {
  const targets = weightedTargets(route.spec);
  const [weights, setWeights] = useState(() => targets.map((t) => t.weight));
  const [error, setError] = useState<unknown>(undefined);
  const [applied, setApplied] = useState<{ generation: bigint; at: number } | undefined>(undefined);
  useEffect(() => setWeights(weightedTargets(route.spec).map((t) => t.weight)), [route.version]);
  if (targets.length === 0) return null;
  const total = weights.reduce((a, b) => a + b, 0);
  const changed = weights.some((w, i) => w !== targets[i]?.weight);

  const apply = async () => {
    setError(undefined);
    setApplied(undefined);
    try {
      const at = performance.now();
      await saveResource(
        'update',
        mesh,
        kindById('route')!,
        route.name,
        route.parent,
        withWeights(route.spec, weights),
      );
      // The mesh generation this write produced (or a later one): the change to follow.
      const p = await readPropagation(mesh);
      setApplied({ generation: BigInt(p.generation), at });
      onApplied();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section class="card" aria-labelledby="traffic-heading">
      <h3 id="traffic-heading">Traffic shifting</h3>
      {targets.map((t, i) => {
        const id = `weight-${i}`;
        const share = total > 0 ? Math.round(((weights[i] ?? 0) * 100) / total) : 0;
        return (
          <div class="slider" key={t.virtualNode}>
            <label for={id}>Weight of {t.virtualNode}</label>
            <input
              id={id}
              type="range"
              min={0}
              max={100}
              step={1}
              value={weights[i]}
              aria-valuetext={`${weights[i]} (${share}% of traffic)`}
              onInput={(e) => {
                const next = [...weights];
                next[i] = Number(e.currentTarget.value);
                setWeights(next);
              }}
            />
            <output for={id}>
              {weights[i]} · {share}%
            </output>
          </div>
        );
      })}
      <div class="actions">
        <button type="button" class="primary" disabled={!changed || total === 0} onClick={apply}>
          Apply weights
        </button>
      </div>
      <ErrorMessage error={error} />
      {applied ? <PropagationProgress mesh={mesh} generation={applied.generation} startedAt={applied.at} /> : null}
    </section>
  );
}

/** Follows one applied change until every connected proxy holds it. */
function PropagationProgress({ mesh, generation, startedAt }: { mesh: string; generation: bigint; startedAt: number }) {
  const [progress, setProgress] = useState<ChangeProgress>({ state: 'compiling' });
  const [error, setError] = useState<unknown>(undefined);
  const doneAt = useRef<number | undefined>(undefined);
  useEffect(() => {
    doneAt.current = undefined;
    const stop = watchPropagation(
      mesh,
      (p) => {
        const next = progressOf(p, generation);
        if (next.state === 'done' && doneAt.current === undefined) doneAt.current = performance.now();
        setProgress(next);
        setError(undefined);
        if (next.state === 'done' || next.state === 'rejected') stop();
      },
      setError,
    );
    return stop;
  }, [mesh, generation]);
  const seconds = doneAt.current !== undefined ? ((doneAt.current - startedAt) / 1000).toFixed(1) : undefined;
  return (
    <div class="propagation" role="status" aria-live="polite">
      {progress.state === 'compiling' ? <p>Compiling generation {String(generation)}…</p> : null}
      {progress.state === 'rejected' ? (
        <p class="error">The compile was refused; the proxies keep the previous version: {progress.reason}</p>
      ) : null}
      {progress.state === 'propagating' || progress.state === 'done' ? (
        <p>
          <strong>
            {progress.have} of {progress.of} proxies have it
          </strong>
          {progress.nacked > 0 ? `, ${progress.nacked} NACKed` : ''}
          {progress.state === 'done' && seconds !== undefined ? ` (last ACK ${seconds} s after applying)` : ''}
        </p>
      ) : null}
      <ErrorMessage error={error} />
    </div>
  );
}
