// @ts-check
// Renders bench/results/app-mesh-api.md from the JSON results.

/** @typedef {import('./load.mjs').LoadResult} LoadResult */
/** @typedef {import('./baseline.mjs').BaselineResult} BaselineResult */

/**
 * @typedef {object} TargetVerdict
 * @property {string} operation
 * @property {number} targetRps
 * @property {number} p99LimitMs
 * @property {{ ok2xxPerS: number, p99Ms: number, non2xx: number, errors: number } | null} atTargetRate
 * @property {{ ok2xxPerS: number, p99Ms: number, non2xx: number, errors: number, withinLimits: boolean } | null} atTargetRateEvenlyPaced
 * @property {number} bestClosedLoopRps
 * @property {boolean} met
 * @property {string[]} reasons
 * @property {{ connections: number, apiRps: number, baselineOpsPerS: number | null, apiOverBaseline: number | null, apiP50OverBaselineP50: number | null, preparedOpsPerS?: number | null, apiOverPrepared?: number | null, asIssuedOpsPerS: number | null, apiOverAsIssued: number | null }[]} ratios
 */

/**
 * @param {{
 *   machine: Record<string, unknown> & { cpus: number, cpuModel: string, node: string, postgres: string, date: string, gitCommit: string | null, gitDirtyOutsideBench: boolean | null },
 *   config: { durationS: number, warmupS: number, rateConnections: number, databasePoolSize: number, profiled: boolean,
 *             create: { meshesWrittenConcurrently: number, meshesCreated: number, virtualNodesCreatedAtMost: number },
 *             update: { meshes: number, nodes: number } },
 *   targets: TargetVerdict[],
 *   api: Record<string, LoadResult[]>,
 *   baseline: BaselineResult[],
 *   server: { exit: number | string | null, warningOrErrorLogLines: number, warningOrErrorLogLinesWhileStopping: number },
 * }} results
 */
export function renderMarkdown(results) {
  const { machine: m, config: c } = results;
  const out = [];
  out.push('# App Mesh API benchmark');
  out.push('');
  out.push(
    `Measured ${m.date.slice(0, 10)} at commit \`${m.gitCommit ?? 'unknown'}\`${m.gitDirtyOutsideBench ? ' (with uncommitted changes outside bench/)' : ''}` +
      ` on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, PostgreSQL ${m.postgres}.` +
      ` SigV4 verification on; database pool ${c.databasePoolSize}; ${c.durationS} s per run after ${c.warmupS} s of warm-up.` +
      ' The load generator (autocannon), the api role and PostgreSQL share the same cores.' +
      (typeof m['busyCoresBeforeStart'] === 'number' && m['busyCoresBeforeStart'] > 0.25
        ? ` **Other processes kept ${m['busyCoresBeforeStart']} core(s) busy just before the runs: the numbers are pessimistic.**`
        : '') +
      (c.profiled ? ' **The server ran under `--cpu-prof`: these numbers are slower than normal.**' : ''),
  );
  out.push(
    'Reproduce with `npm run bench:api`; method and caveats in [bench/README.md](../README.md); every number is in `app-mesh-api.json`.',
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(
    'Met means: the rate-limited run at the target rate completed at least 97% of it as 2xx, p99 under 50 ms, no non-2xx response, no error — and no closed-loop run saw a non-2xx response or error.',
  );
  out.push('');
  out.push(
    '| Operation | Target | 2xx/s at target rate | p99 at target rate | Best closed-loop 2xx/s | Met? | Evenly paced at target: 2xx/s, p99 |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | --- | --- |');
  for (const t of results.targets) {
    const at = t.atTargetRate;
    const even = t.atTargetRateEvenlyPaced;
    const evenCell = even
      ? `${fmt(even.ok2xxPerS)}/s, ${fmt(even.p99Ms)} ms${even.non2xx || even.errors ? `, **${even.non2xx} non-2xx, ${even.errors} errors**` : ''} (${even.withinLimits ? 'within' : 'outside'} the limits)`
      : '—';
    out.push(
      `| ${title(t.operation)} | ${t.targetRps}/s, p99 < ${t.p99LimitMs} ms | ${at ? fmt(at.ok2xxPerS) : '—'} | ${at ? `${fmt(at.p99Ms)} ms` : '—'} | ${fmt(t.bestClosedLoopRps)} | ${t.met ? '**yes**' : `**no**: ${t.reasons.join('; ')}`} | ${evenCell} |`,
    );
  }
  out.push('');
  out.push(
    "The verdict uses autocannon's `overallRate` as the issue asks: each connection sends its share of each second's budget back to back, so requests arrive in bursts at the start of every second. The last column runs the same rate with evenly spaced arrivals (open loop, latency counted from when each request was due); it is shown for comparison and is not part of the verdict.",
  );
  out.push('');
  out.push(
    '"other" CPU is everything but the server, the load generator and the PostgreSQL backends of the benchmark database (Redis, PostgreSQL background processes, unrelated programs). A run during which it exceeded 0.3 cores is measured again once the machine is quiet (up to `--retries` times; such runs say "re-measured"); one still above it is marked.',
  );
  out.push('');
  out.push('## API runs');
  out.push('');
  out.push(
    'Latency in ms over every response. "closed" = each connection sends its next request when the previous one answers; "rate" = autocannon `overallRate` (each connection sends its share of the per-second budget, then waits for the next second); "paced" = open loop, one request every 1/rate s on up to 64 keep-alive connections, latency from when the request was due.',
  );
  out.push('');
  out.push(
    '| Run | Mode | Conns | 2xx/s | rps (mean) | p50 | p97.5 | p99 | max | non-2xx | errors | CPU cores: server / load gen. / PostgreSQL / other |',
  );
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const runs of Object.values(results.api)) {
    for (const r of runs) {
      const l = r.latencyMs;
      const flag = (r.poolExhausted ? ' (pre-signed pool ran dry: ended early)' : '') + remeasured(r.discardedAttempts);
      const non2xx = r.non2xx > 0 ? `**${r.non2xx}** ${JSON.stringify(r.statusCodes)}` : '0';
      out.push(
        `| ${r.scenario}${flag} | ${r.mode}${r.targetRate ? ` ${r.targetRate}/s` : ''} | ${r.connections} | ${fmt(r.ok2xxPerS)} | ${fmt(r.rpsMean)} | ${fmt(l.p50)} | ${fmt(l.p97_5)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${non2xx} | ${r.errors > 0 ? `**${r.errors}**` : '0'} | ${cpuCell(r.cpu, true)} |`,
      );
    }
  }
  out.push('');
  out.push(
    `Create spreads its virtual nodes over ${c.create.meshesWrittenConcurrently} meshes at a time (at most 1000 nodes per mesh; ${c.create.meshesCreated} meshes, up to ${c.create.virtualNodesCreatedAtMost} nodes created in all).` +
      ` Update rewrites ${c.update.nodes} nodes in ${c.update.meshes} meshes round-robin. Writes to one mesh are serialised by its row lock (the generation bump).`,
  );
  const samples = Object.values(results.api)
    .flat()
    .filter((r) => r.non2xxSamples.length > 0);
  if (samples.length > 0) {
    out.push('');
    out.push('Non-2xx responses (first bodies):');
    out.push('');
    for (const r of samples) {
      for (const s of r.non2xxSamples.slice(0, 2))
        out.push(`- ${r.scenario}: HTTP ${s.status} \`${s.body.replace(/`/g, "'").slice(0, 200)}\``);
    }
  }
  if (results.baseline.length > 0) {
    out.push('');
    out.push('## Raw baseline: the same SQL through `pg` alone');
    out.push('');
    out.push(
      `A \`pg\` Pool of ${c.databasePoolSize} connections (the API's pool size) runs each operation's statements in a closed loop in this process, with the server stopped.` +
        ' **minimal** = the reads and writes the operation needs (the access-key lookup joined with its tenant; the mesh and the node; for writes one transaction: generation bump, count or read, write, mesh_changes row), sent as SQL text: PostgreSQL parses and plans each at every run.' +
        ' **minimal, prepared** = the same statements as named prepared statements (parsed and planned once per connection), as the api role sends its own (ADR 0029).' +
        ' **as issued** = every statement the api role actually sends, captured on the wire, prepared as it prepares them (no authentication SQL: verified credentials are cached; a write is BEGIN, the rows it depends on, one statement that writes everything, COMMIT).' +
        ' The lists are in `app-mesh-api.json` (`baseline[].statements`).',
    );
    out.push('');
    out.push(
      '| Operation | SQL | Round trips | Concurrency | Baseline ops/s | Baseline p50 | Baseline p99 | API 2xx/s | API ÷ baseline | CPU cores: client / PostgreSQL / other |',
    );
    out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const b of results.baseline) {
      const ratio = results.targets
        .find((t) => t.operation === b.operation)
        ?.ratios.find((x) => x.connections === b.concurrency);
      const over =
        b.variant === 'minimal'
          ? ratio?.apiOverBaseline
          : b.variant === 'minimal-prepared'
            ? ratio?.apiOverPrepared
            : ratio?.apiOverAsIssued;
      const label = { minimal: 'minimal', 'minimal-prepared': 'minimal, prepared', 'as-issued': 'as issued' }[
        /** @type {'minimal' | 'minimal-prepared' | 'as-issued'} */ (b.variant)
      ];
      out.push(
        `| ${title(b.operation)}${remeasured(b.discardedAttempts)} | ${label} | ${b.statements.length} | ${b.concurrency} | ${fmt(b.opsPerS)}${b.errors ? ` (**${b.errors} errors**)` : ''} | ${fmt(b.latencyMs.p50)} | ${fmt(b.latencyMs.p99)} | ${ratio ? fmt(ratio.apiRps) : '—'} | ${over ?? '—'} | ${cpuCell(b.cpu, false)} |`,
      );
    }
  }
  out.push('');
  out.push(
    `Server: stopped with SIGTERM (exit ${results.server.exit}); ${results.server.warningOrErrorLogLines} warn/error log line(s) during the runs, ${results.server.warningOrErrorLogLinesWhileStopping} while stopping.`,
  );
  out.push('');
  return out.join('\n');
}

/** @param {number | undefined} discarded */
function remeasured(discarded) {
  return discarded ? ` (re-measured: ${discarded} disturbed attempt${discarded > 1 ? 's' : ''} discarded)` : '';
}

/** @param {number | null} x */
function cores(x) {
  return x === null ? '—' : x.toFixed(2);
}

/**
 * @param {import('./cpu.mjs').CpuUsage} cpu
 * @param {boolean} withServer
 */
function cpuCell(cpu, withServer) {
  const parts = [cpu.loadGeneratorCores, cpu.postgresCores, cpu.otherCores].map(cores);
  if (withServer) {
    const kernel = cpu.serverKernelShare === null ? '' : ` (${Math.round(cpu.serverKernelShare * 100)}% kernel)`;
    parts.unshift(`${cores(cpu.serverCores)}${kernel}`);
  }
  const interfered = (cpu.otherCores ?? 0) > 0.3;
  return `${parts.join(' / ')}${interfered ? ' **(other work ran meanwhile)**' : ''}`;
}

/** @param {string} op */
function title(op) {
  return op.charAt(0).toUpperCase() + op.slice(1);
}

/** @param {number} x */
function fmt(x) {
  if (x >= 100) return String(Math.round(x));
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
