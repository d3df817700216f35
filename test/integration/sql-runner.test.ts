import {
  type AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { inSqlTransaction, sqlRunner } from '../../src/platform/prisma/sql-runner.js';
import { eventually } from '../support/eventually.js';
import { countSqlStatements } from '../support/sql-statement-counter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';

/** The driver path of ADR 0029, on the real PostgreSQL: result types, transactions, prepared statements. */
describe('SQL through the driver (sql-runner)', () => {
  let pool: pg.Pool;
  const table = `sql_runner_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 1 });
    await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, c int NOT NULL)`);
  });
  afterAll(async () => {
    await pool?.query(`DROP TABLE IF EXISTS ${table}`);
    await pool?.end();
  });

  it('types columns as Prisma $queryRaw does: int8 as BigInt, JSON parsed, timestamptz as Date, uuid as text', async () => {
    const run = sqlRunner(pool);
    const [row] = await run<{ big: bigint; small: number; j: unknown; t: Date; u: string; none: bigint | null }>(
      Prisma.sql`SELECT ${41}::int8 + 1 AS big, 7::int AS small, ${JSON.stringify({ a: [1] })}::jsonb AS j,
        '2026-12-07T01:02:03.004Z'::timestamptz AS t, '6f1c1a52-5a3c-4bd6-a0f6-3f1f5bd2bd9e'::uuid AS u,
        NULL::int8 AS none`,
    );
    expect(row).toEqual({
      big: 42n,
      small: 7,
      j: { a: [1] },
      t: new Date('2026-12-07T01:02:03.004Z'),
      u: '6f1c1a52-5a3c-4bd6-a0f6-3f1f5bd2bd9e',
      none: null,
    });
  });

  it('commits what the work wrote, and rolls all of it back when the work throws', async () => {
    await inSqlTransaction(pool, async (run) => {
      await run(Prisma.sql`INSERT INTO ${Prisma.raw(table)} (id, c) VALUES (${1}, ${10})`);
    });
    await expect(
      inSqlTransaction(pool, async (run) => {
        await run(Prisma.sql`INSERT INTO ${Prisma.raw(table)} (id, c) VALUES (${2}, ${20})`);
        await run(Prisma.sql`UPDATE ${Prisma.raw(table)} SET c = ${11} WHERE id = ${1}`);
        throw new Error('refused after writing');
      }),
    ).rejects.toThrow('refused after writing');
    const { rows } = await pool.query(`SELECT id, c FROM ${table} ORDER BY id`);
    expect(rows).toEqual([{ id: 1, c: 10 }]);
    // The connection went back to the pool outside any transaction: the next one works.
    await inSqlTransaction(pool, (run) => run(Prisma.sql`SELECT 1`));
  });

  it('replaces a connection whose prepared statement a migration made stale, instead of failing on it forever', async () => {
    const run = sqlRunner(pool);
    const read = () => run<{ c: unknown }>(Prisma.sql`SELECT c FROM ${Prisma.raw(table)} WHERE id = ${1}`);
    expect(await read()).toEqual([{ c: 10 }]);
    await pool.query(`ALTER TABLE ${table} ALTER COLUMN c TYPE text`);
    // The pool's one connection prepared the statement with an int column: PostgreSQL refuses it once...
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    // ...and the next run is on a new connection, prepared again.
    expect(await read()).toEqual([{ c: '10' }]);
  });
});

describe('Round trips of the hot App Mesh operations', () => {
  let api: TestApp;
  let client: AppMeshClient;

  beforeAll(async () => {
    api = await startTestApp(['api']);
    client = appMeshClient(api, (await createTenant(api)).accessKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('a Create and an Update (with the clientToken the SDK sends) are BEGIN, two statements and COMMIT; a Describe is one statement', async () => {
    const meshName = uniqueName('trips');
    const spec = (port: number) => ({
      listeners: [{ portMapping: { port, protocol: 'http' as const } }],
      serviceDiscovery: { dns: { hostname: 'svc.local' } },
    });
    await client.send(new CreateMeshCommand({ meshName }));
    // Warm: credentials and the plan are cached after the first request.
    await client.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'warm', spec: spec(8080) }));

    // Counted at the driver, in this process; a background statement of the api role (a last-used
    // stamp, a usage flush) can fall into the window, so each count is taken until one is clean.
    const statementsOf = (what: string, work: (i: number) => Promise<unknown>) => {
      let i = 0;
      return eventually(`${what} counted without background statements`, 5_000, async () => {
        const { texts } = await countSqlStatements(() => work(i++));
        return texts.every((t) => /^(BEGIN|COMMIT)$/i.test(t.trim()) || /mesh/.test(t))
          ? texts.map(firstWord)
          : undefined;
      });
    };
    expect(
      await statementsOf('a Create', (i) =>
        client.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: `n${i}`, spec: spec(8080) })),
      ),
    ).toEqual(['BEGIN', 'WITH', 'WITH', 'COMMIT']);
    expect(
      await statementsOf('an Update', () =>
        client.send(new UpdateVirtualNodeCommand({ meshName, virtualNodeName: 'n0', spec: spec(9090) })),
      ),
    ).toEqual(['BEGIN', 'WITH', 'WITH', 'COMMIT']);
    expect(
      await statementsOf('a Describe', () =>
        client.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'n0' })),
      ),
    ).toEqual(['WITH']);
    const node = await client.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'n0' }));
    expect(node.virtualNode?.spec?.listeners?.[0]?.portMapping?.port).toBe(9090);
    expect(node.virtualNode?.metadata?.version).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

function firstWord(sql: string): string {
  return sql.trim().split(/\s+/)[0]!.toUpperCase();
}
