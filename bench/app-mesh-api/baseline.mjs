// @ts-check
// The raw baseline: an operation's SQL sent through the `pg` driver alone (a Pool as large as the
// API's), in a closed loop inside this process, with the server stopped. Three variants:
//
// - `minimal`: the reads and writes the operation needs — the access-key lookup (joined with its
//   tenant), then for Describe the mesh and the node; for Create/Update one transaction that bumps
//   the mesh generation (its row lock), counts or reads, writes the node and the mesh_changes row.
//   Sent as SQL text (unprepared). API / minimal is the overhead ratio of the issue.
// - `minimal-prepared`: the same statements as named prepared statements, parsed and planned once
//   per connection, as the api role sends its own (ADR 0029): the comparison that does not credit
//   the API with a technique any driver program can use.
// - `as-issued`: every statement the api role actually sends for the operation, in its order, as
//   captured on the wire by capture-sql.mjs, prepared as the api role prepares them: none for
//   authentication (verified credentials are cached, ADR 0025), one statement for a Describe (mesh
//   and node in one CTE), for a write BEGIN, the rows it depends on (a Create also takes the mesh
//   lock there), one statement that writes everything, COMMIT. API / as-issued isolates what the
//   Node side costs. Re-capture when the API's queries change.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { cpuBetween, sampleCpu } from './cpu.mjs';
import { round, summarise } from './load.mjs';

/** @typedef {import('./load.mjs').LatencySummary} LatencySummary */
/** @typedef {'minimal' | 'minimal-prepared' | 'as-issued'} Variant */

/**
 * @typedef {object} BaselineResult
 * @property {string} operation
 * @property {Variant} variant
 * @property {number} concurrency operations in flight (closed loop)
 * @property {number} poolSize pg Pool max
 * @property {number} durationS
 * @property {number} ops completed operations
 * @property {number} opsPerS
 * @property {number} errors
 * @property {string | null} firstError
 * @property {LatencySummary} latencyMs
 * @property {string[]} statements what one operation sends, in order (one round trip each)
 * @property {import('./cpu.mjs').CpuUsage} cpu
 * @property {number} [discardedAttempts] earlier attempts measured again because other work disturbed them
 */

const SQL = {
  /** minimal: CredentialsRepository.findAccessKeyForAuthentication as one join. */
  authJoined: `SELECT ak.id, ak.tenant_id, ak.access_key_id, ak.secret_ciphertext, ak.master_key_id, ak.revoked_at,
    t.account_id, t.name, t.plan, t.status, t.created_at, t.updated_at
    FROM access_keys ak JOIN tenants t ON t.id = ak.tenant_id WHERE ak.access_key_id = $1`,
  findMesh: 'SELECT * FROM meshes WHERE tenant_id = $1 AND name = $2 LIMIT 1',
  findNode: `SELECT * FROM mesh_resources
    WHERE mesh_id = $1 AND kind = 'virtualNode' AND parent_name = '' AND name = $2 AND tenant_id = $3 LIMIT 1`,
  lockMesh: 'UPDATE meshes SET generation = generation + 1 WHERE tenant_id = $1 AND name = $2 RETURNING *',
  countNodes: `SELECT count(*)::int AS n FROM mesh_resources WHERE tenant_id = $1 AND mesh_id = $2 AND kind = 'virtualNode'`,
  insertNode: `INSERT INTO mesh_resources (id, tenant_id, mesh_id, kind, parent_name, name, spec, tags)
    VALUES ($1, $2, $3, 'virtualNode', '', $4, $5::jsonb, '[]'::jsonb) RETURNING *`,
  updateNode: `UPDATE mesh_resources SET spec = $1::jsonb, version = version + 1, updated_at = now()
    WHERE id = $2 AND tenant_id = $3 RETURNING *`,
  recordChange: `INSERT INTO mesh_changes (mesh_id, generation, kind, parent_name, name, operation)
    VALUES ($1, $2, 'virtualNode', '', $3, $4::"ChangeOperation") RETURNING *`,
};

/** What the api role sends (capture-sql.mjs), with MeshStore's column list; parameters as it binds them. */
const RESOURCE_COLUMNS = `id, tenant_id AS "tenantId", mesh_id AS "meshId", kind, parent_name AS "parentName",
  name, spec, version, tags, created_at AS "createdAt", updated_at AS "updatedAt"`;
const MESH_ROW = `mesh_row AS (SELECT id, tenant_id AS "tenantId", id AS "meshId", NULL::"ResourceKind" AS kind,
  ''::varchar AS "parentName", name, spec, version, tags, created_at AS "createdAt", updated_at AS "updatedAt"
  FROM meshes WHERE tenant_id = $1::uuid AND name = $2)`;
/** @param {string} lock */
const meshAndNode = (lock) => `WITH ${MESH_ROW}, self_row AS (SELECT ${RESOURCE_COLUMNS} FROM mesh_resources
  WHERE tenant_id = $1::uuid AND mesh_id = (SELECT id FROM mesh_row) AND kind = 'virtualNode' AND parent_name = ''
  AND name = $3 ${lock})
  SELECT 'mesh'::text AS role, * FROM mesh_row UNION ALL SELECT 'self'::text AS role, * FROM self_row`;
const ISSUED = {
  describe: meshAndNode(''),
  createRead: `WITH ${MESH_ROW}, mesh_lock AS (SELECT id, tenant_id AS "tenantId", id AS "meshId",
    NULL::"ResourceKind" AS kind, ''::varchar AS "parentName", name, NULL::jsonb AS spec, version, NULL::jsonb AS tags,
    created_at AS "createdAt", updated_at AS "updatedAt" FROM meshes
    WHERE tenant_id = $1::uuid AND id = (SELECT id FROM mesh_row) FOR NO KEY UPDATE)
    SELECT 'mesh'::text AS role, * FROM mesh_row UNION ALL SELECT 'meshLock'::text AS role, * FROM mesh_lock`,
  createWrite: `WITH counted AS (SELECT count(*)::int AS n FROM mesh_resources
    WHERE tenant_id = $1::uuid AND mesh_id = $2::uuid AND kind = 'virtualNode'::"ResourceKind"),
    host AS (SELECT NULL::varchar AS name WHERE false),
    inserted AS (INSERT INTO mesh_resources (id, tenant_id, mesh_id, kind, parent_name, name, spec, tags, created_at,
      updated_at) SELECT $3::uuid, $1::uuid, $2::uuid, 'virtualNode'::"ResourceKind", '', $4, $5::jsonb, '[]'::jsonb,
      $6::timestamptz, $6::timestamptz
      WHERE (SELECT n FROM counted) < 1000 AND NOT EXISTS (SELECT 1 FROM host)
      ON CONFLICT (mesh_id, kind, parent_name, name) DO NOTHING RETURNING id, mesh_id),
    bumped AS (UPDATE meshes SET generation = generation + 1 WHERE id = $2::uuid AND tenant_id = $1::uuid
      AND EXISTS (SELECT 1 FROM inserted) RETURNING id, generation),
    logged AS (INSERT INTO mesh_changes (mesh_id, generation, kind, parent_name, name, operation, committed_at)
      SELECT id, generation, 'virtualNode', '', $4, 'create'::"ChangeOperation", clock_timestamp() FROM bumped
      RETURNING generation)
    SELECT (SELECT count(*) FROM inserted)::int AS inserted, (SELECT n FROM counted) AS count,
      (SELECT name FROM host) AS "sameHost", (SELECT generation FROM logged) AS generation`,
  updateRead: meshAndNode('FOR NO KEY UPDATE'),
  updateWrite: `WITH bumped AS (UPDATE meshes SET generation = generation + 1 WHERE id = $1::uuid AND tenant_id = $2::uuid
    RETURNING id, generation), logged AS (INSERT INTO mesh_changes (mesh_id, generation, kind, parent_name, name,
    operation, committed_at) SELECT id, generation, 'virtualNode', '', $3, 'update'::"ChangeOperation", clock_timestamp()
    FROM bumped RETURNING generation), updated AS (UPDATE mesh_resources SET spec = $4::jsonb, version = version + 1,
    updated_at = now() WHERE id = $5::uuid AND tenant_id = $2::uuid RETURNING id, mesh_id),
    dropped AS (DELETE FROM resource_references r USING updated u WHERE r.from_id = u.id AND (r.to_kind, r.to_name)
    NOT IN (SELECT * FROM unnest($6::text[]::"ResourceKind"[], $7::text[]) AS w(to_kind, to_name))),
    added AS (INSERT INTO resource_references (from_id, mesh_id, to_kind, to_name) SELECT u.id, u.mesh_id, w.to_kind,
    w.to_name FROM updated u CROSS JOIN (SELECT * FROM unnest($6::text[]::"ResourceKind"[], $7::text[])
    AS w(to_kind, to_name)) w ON CONFLICT (from_id, to_kind, to_name) DO NOTHING)
    SELECT (SELECT generation FROM logged) AS generation, (SELECT count(*) FROM updated)::int AS updated`,
};

/**
 * @typedef {object} BaselineContext
 * @property {string} tenantId
 * @property {string} accessKeyId
 * @property {string} databaseUrl
 * @property {number} poolSize
 */

/**
 * @typedef {object} RunOptions
 * @property {Variant} variant
 * @property {number} concurrency
 * @property {number} warmupS
 * @property {number} durationS
 */

/**
 * Authenticates as the variant does: one joined read (minimal), or nothing (as-issued: the api
 * role verifies cached credentials; its last-used stamp is written at most once a minute).
 * @param {pg.Pool} pool
 * @param {BaselineContext} ctx
 * @param {Variant} variant
 */
async function authenticate(pool, ctx, variant) {
  if (variant === 'as-issued') return;
  const auth = await statementRunner(variant)(pool, SQL.authJoined, [ctx.accessKeyId]);
  if (auth.rowCount !== 1) throw new Error('access key not found');
}

/** @param {Variant} variant */
function authStatements(variant) {
  return variant === 'as-issued' ? [] : [SQL.authJoined];
}

/**
 * Describe: authenticate, then the mesh, then the virtual node, one after another as the API does.
 * @param {BaselineContext} ctx
 * @param {RunOptions & { meshName: string, nodeName: string }} options
 * @returns {Promise<BaselineResult>}
 */
export async function baselineDescribe(ctx, { variant, meshName, nodeName, ...loop }) {
  return withPool(ctx, async (pool) => {
    const run = statementRunner(variant);
    const op = async () => {
      await authenticate(pool, ctx, variant);
      if (variant === 'as-issued') {
        const rows = await run(pool, ISSUED.describe, [ctx.tenantId, meshName, nodeName]);
        if (rows.rowCount !== 2) throw new Error(`node ${nodeName} of mesh ${meshName} not found`);
        return;
      }
      const meshId = (await run(pool, SQL.findMesh, [ctx.tenantId, meshName])).rows[0]?.id;
      if (!meshId) throw new Error(`mesh ${meshName} not found`);
      const node = await run(pool, SQL.findNode, [meshId, nodeName, ctx.tenantId]);
      if (node.rowCount !== 1) throw new Error(`node ${nodeName} not found`);
    };
    const statements =
      variant === 'as-issued' ? [ISSUED.describe] : [...authStatements(variant), SQL.findMesh, SQL.findNode];
    return result(ctx, 'describe', variant, loop, statements, await closedLoop({ ...loop, op }));
  });
}

/**
 * Create: authenticate, then one transaction. Names are spread over groups of `meshesPerGroup`
 * meshes, at most 1000 nodes per mesh, like the API run; the meshes are inserted directly (no
 * quota applies to the driver).
 * @param {BaselineContext} ctx
 * @param {RunOptions & { meshesPerGroup: number, label: string, spec: (name: string) => unknown }} options
 * @returns {Promise<BaselineResult>}
 */
export async function baselineCreate(ctx, { variant, meshesPerGroup, label, spec, ...loop }) {
  return withPool(ctx, async (pool) => {
    const run = statementRunner(variant);
    const perGroup = meshesPerGroup * 1000;
    // Enough groups for 20,000 creates/s over the whole run: far beyond this machine.
    const groups = Math.ceil((20_000 * (loop.warmupS + loop.durationS + 2)) / perGroup);
    await pool.query(
      `INSERT INTO meshes (id, tenant_id, name, spec)
       SELECT gen_random_uuid(), $1, $2 || '-g' || g || '-m' || m, '{"egressFilter":{"type":"DROP_ALL"}}'::jsonb
       FROM generate_series(0, $3::int - 1) g, generate_series(0, $4::int - 1) m`,
      [ctx.tenantId, label, groups, meshesPerGroup],
    );
    const op = async (/** @type {number} */ i) => {
      const meshName = `${label}-g${Math.floor(i / perGroup)}-m${i % meshesPerGroup}`;
      const name = `n${i}`;
      await authenticate(pool, ctx, variant);
      await transaction(pool, async (client) => {
        if (variant === 'as-issued') {
          const rows = (await run(client, ISSUED.createRead, [ctx.tenantId, meshName])).rows;
          const mesh = rows.find((r) => r.role === 'mesh');
          if (!mesh || !rows.some((r) => r.role === 'meshLock')) throw new Error(`mesh ${meshName} not found`);
          const args = [
            ctx.tenantId,
            mesh.id,
            randomUUID(),
            name,
            JSON.stringify(spec(name)),
            new Date().toISOString(),
          ];
          const written = (await run(client, ISSUED.createWrite, args)).rows[0];
          if (written?.inserted !== 1) throw new Error(`mesh ${meshName} is full`);
          return;
        }
        const mesh = (await run(client, SQL.lockMesh, [ctx.tenantId, meshName])).rows[0];
        if (!mesh) throw new Error(`mesh ${meshName} not found`);
        const count = (await run(client, SQL.countNodes, [ctx.tenantId, mesh.id])).rows[0]?.n ?? 0;
        if (count >= 1000) throw new Error(`mesh ${meshName} is full`);
        await run(client, SQL.insertNode, [randomUUID(), ctx.tenantId, mesh.id, name, JSON.stringify(spec(name))]);
        await run(client, SQL.recordChange, [mesh.id, mesh.generation, name, 'create']);
      });
    };
    const tx =
      variant !== 'as-issued'
        ? [SQL.lockMesh, SQL.countNodes, SQL.insertNode, SQL.recordChange]
        : [ISSUED.createRead, ISSUED.createWrite];
    const statements = [...authStatements(variant), 'BEGIN', ...tx, 'COMMIT'];
    return result(ctx, 'create', variant, loop, statements, await closedLoop({ ...loop, op }));
  });
}

/**
 * Update: authenticate, then one transaction that locks the mesh, reads the node, rewrites its
 * spec and inserts the mesh_changes row; round-robin over the same nodes as the API run.
 * @param {BaselineContext} ctx
 * @param {RunOptions & { targets: { meshName: string, nodeName: string }[], spec: (name: string) => unknown }} options
 * @returns {Promise<BaselineResult>}
 */
export async function baselineUpdate(ctx, { variant, targets, spec, ...loop }) {
  return withPool(ctx, async (pool) => {
    const run = statementRunner(variant);
    const specs = targets.map((t) => JSON.stringify(spec(t.nodeName)));
    const op = async (/** @type {number} */ i) => {
      const k = i % targets.length;
      const { meshName, nodeName } = /** @type {{ meshName: string, nodeName: string }} */ (targets[k]);
      await authenticate(pool, ctx, variant);
      await transaction(pool, async (client) => {
        if (variant === 'as-issued') {
          const rows = (await run(client, ISSUED.updateRead, [ctx.tenantId, meshName, nodeName])).rows;
          const mesh = rows.find((r) => r.role === 'mesh');
          const node = rows.find((r) => r.role === 'self');
          if (!mesh || !node) throw new Error(`node ${nodeName} of mesh ${meshName} not found`);
          await run(client, ISSUED.updateWrite, [mesh.id, ctx.tenantId, nodeName, specs[k], node.id, [], []]);
          return;
        }
        const mesh = (await run(client, SQL.lockMesh, [ctx.tenantId, meshName])).rows[0];
        if (!mesh) throw new Error(`mesh ${meshName} not found`);
        const node = (await run(client, SQL.findNode, [mesh.id, nodeName, ctx.tenantId])).rows[0];
        if (!node) throw new Error(`node ${nodeName} not found`);
        await run(client, SQL.updateNode, [specs[k], node.id, ctx.tenantId]);
        await run(client, SQL.recordChange, [mesh.id, mesh.generation, nodeName, 'update']);
      });
    };
    const tx =
      variant !== 'as-issued'
        ? [SQL.lockMesh, SQL.findNode, SQL.updateNode, SQL.recordChange]
        : [ISSUED.updateRead, ISSUED.updateWrite];
    const statements = [...authStatements(variant), 'BEGIN', ...tx, 'COMMIT'];
    return result(ctx, 'update', variant, loop, statements, await closedLoop({ ...loop, op }));
  });
}

/**
 * How a variant sends a statement: `minimal` unprepared (parsed and planned at every run), as
 * a program that passes SQL text to `pg` does; `minimal-prepared` and `as-issued` as named
 * prepared statements, parsed and planned once per connection, as the api role sends its hot
 * statements (ADR 0029).
 * @param {Variant} variant
 * @returns {(db: pg.Pool | pg.PoolClient, text: string, values: unknown[]) => Promise<pg.QueryResult>}
 */
function statementRunner(variant) {
  if (variant === 'minimal') return (db, text, values) => db.query(text, values);
  return (db, text, values) => db.query({ name: statementName(text), text, values });
}

/** @type {Map<string, string>} */
const statementNames = new Map();
/** @param {string} text */
function statementName(text) {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `baseline_${statementNames.size}`));
  return name;
}

/**
 * @template T
 * @param {BaselineContext} ctx
 * @param {(pool: pg.Pool) => Promise<T>} work
 */
async function withPool(ctx, work) {
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: ctx.poolSize });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/**
 * @param {BaselineContext} ctx
 * @param {string} operation
 * @param {Variant} variant
 * @param {{ concurrency: number }} loop
 * @param {string[]} statements
 * @param {Awaited<ReturnType<typeof closedLoop>>} measured
 * @returns {BaselineResult}
 */
function result(ctx, operation, variant, loop, statements, measured) {
  return {
    operation,
    variant,
    concurrency: loop.concurrency,
    poolSize: ctx.poolSize,
    ...measured,
    statements: statements.map((sql) => sql.replace(/\s+/g, ' ').trim()),
  };
}

/**
 * Closed loop: `concurrency` workers each run `op` back to back; a warm-up, then the measurement.
 * @param {object} options
 * @param {number} options.concurrency
 * @param {number} options.warmupS
 * @param {number} options.durationS
 * @param {(i: number) => Promise<void>} options.op called with a global, increasing operation index
 */
async function closedLoop({ concurrency, warmupS, durationS, op }) {
  let index = 0;
  let errors = 0;
  /** @type {string | null} */
  let firstError = null;
  let latencies = new Float64Array(65_536);
  let n = 0;
  let measuring = false;
  let stopAt = 0;

  const worker = async () => {
    while (performance.now() < stopAt && errors < 100) {
      const started = performance.now();
      try {
        await op(index++);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        continue;
      }
      if (!measuring) continue;
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = performance.now() - started;
    }
  };
  const runFor = async (/** @type {number} */ seconds) => {
    stopAt = performance.now() + seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  await runFor(warmupS);
  errors = 0;
  firstError = null;
  measuring = true;
  const before = sampleCpu(null);
  await runFor(durationS);
  const after = sampleCpu(null);
  const elapsed = (after.at - before.at) / 1000;
  return {
    durationS: round(elapsed),
    ops: n,
    opsPerS: round(n / elapsed),
    errors,
    firstError,
    latencyMs: summarise(latencies.subarray(0, n)),
    cpu: cpuBetween(before, after),
  };
}

/**
 * @param {pg.Pool} pool
 * @param {(client: pg.PoolClient) => Promise<void>} work
 */
async function transaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}
