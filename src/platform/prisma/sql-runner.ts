import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Prisma } from '../../generated/prisma/client.js';

/**
 * Runs one statement built with `Prisma.sql` and returns its rows, keyed by column name, typed as
 * Prisma's `$queryRaw` types the columns these statements read: `bigint` as BigInt, JSON parsed,
 * `timestamptz` as Date, uuid and enums as strings (docs/adr/0029-hot-writes-on-the-driver.md).
 */
export type SqlRunner = <T>(query: Prisma.Sql) => Promise<T[]>;

const INT8_OID = 20;
const parseInt8 = (text: string): bigint => BigInt(text);
/** pg's parsers, except int8, which pg leaves a string and Prisma reads as a BigInt. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Distinct statement texts that get a prepared statement of their own on each connection. The
 * statements run here have a few dozen shapes (values are always parameters); past this bound a
 * text runs unprepared instead of growing every connection's statement cache.
 */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

/**
 * The name of `text`'s prepared statement: PostgreSQL parses and plans it once per connection
 * instead of at every run (with a generic plan once that is as good as the custom ones).
 */
function statementName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `meshplane_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/**
 * PostgreSQL refuses, at every run, a prepared statement whose result columns a migration has
 * changed since it was prepared: a connection that meets this is closed instead of reused, and
 * the statement is prepared again on the next one.
 */
function stalePlan(err: unknown): boolean {
  return (
    (err as { code?: unknown } | null)?.code === '0A000' &&
    /cached plan must not change result type/.test(String((err as Error).message))
  );
}

function config(query: Prisma.Sql): pg.QueryConfig {
  const text = query.text;
  const name = statementName(text);
  return { text, values: query.values, types: TYPES, ...(name === undefined ? {} : { name }) };
}

/** A SqlRunner on one connection (a transaction's). */
function clientRunner(client: pg.PoolClient): SqlRunner {
  return async <T>(query: Prisma.Sql) => (await client.query(config(query))).rows as T[];
}

/** A SqlRunner on a pool: each statement on whichever connection is free. */
export function sqlRunner(pool: pg.Pool): SqlRunner {
  return async <T>(query: Prisma.Sql) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return (await client.query(config(query))).rows as T[];
    } catch (err) {
      if (stalePlan(err)) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  };
}

/**
 * Runs `work` in one transaction (READ COMMITTED) on a connection of the pool, statement by
 * statement through the driver: BEGIN, what `work` sends, COMMIT, or ROLLBACK when it throws. A
 * connection whose ROLLBACK failed (or that met a stale plan) is closed rather than returned to
 * the pool.
 */
export async function inSqlTransaction<T>(pool: pg.Pool, work: (run: SqlRunner) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(clientRunner(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (stalePlan(err)) broken = err as Error;
    try {
      await client.query('ROLLBACK');
    } catch (rollbackFailed) {
      broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
