import pg from 'pg';

/**
 * Counts the SQL statements this process sends to PostgreSQL while `work` runs, at the driver:
 * every statement (Prisma's queries, raw SQL, BEGIN/COMMIT) goes through `pg.Client#query`, the
 * pool's included. The app under test must run in this process (startTestApp) with no other role
 * issuing queries in the background.
 */
export async function countSqlStatements(work: () => Promise<unknown>): Promise<{ count: number; texts: string[] }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const texts: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    texts.push(typeof first === 'string' ? first : String((first as { text?: unknown } | undefined)?.text ?? ''));
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return { count: texts.length, texts };
}
