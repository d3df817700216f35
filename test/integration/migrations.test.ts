// The project's migration commands (scripts/lib/migrations.mjs, on Prisma's WASM schema engine)
// against a real PostgreSQL: DATABASE_URL names a server we may create databases on.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { applyMigrations, checkDrift, createMigration } from '../../scripts/lib/migrations.mjs';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const SCHEMA_PATH = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));
const quiet = (): void => {};

const serverUrl = process.env.DATABASE_URL;
// Short enough that the tools' derived names (<db>_scratch_<hex>, <db>_shadow_<hex>) keep it whole.
const scratchDb = `mig_test_${randomBytes(4).toString('hex')}`;
let scratchUrl = '';
let workDir = '';
let dollarDir = '';

function urlFor(database: string): string {
  if (!serverUrl) throw new Error('DATABASE_URL must point at a PostgreSQL server');
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  return withClient(scratchUrl, async (c) => (await c.query<R>(sql, params)).rows);
}

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

/** A copy of a migrations folder (by default the committed one), to add migrations to. */
async function copyOfMigrations(name: string, from = MIGRATIONS_DIR): Promise<string> {
  const dir = join(workDir, name);
  await cp(from, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

beforeAll(async () => {
  if (!serverUrl) throw new Error('DATABASE_URL must point at a PostgreSQL server');
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${scratchDb}"`));
  scratchUrl = urlFor(scratchDb);
  workDir = await mkdtemp(join(tmpdir(), 'migrations-test-'));
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
  if (!serverUrl) return;
  await withClient(serverUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${scratchDb}" WITH (FORCE)`);
    // Shadow and scratch databases the tools created must be gone already.
    const left = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${scratchDb}\\_%`,
    ]);
    for (const { datname } of left.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    expect(left.rows.map((r) => r.datname)).toEqual([]);
  });
});

describe('offline migrations (WASM schema engine)', () => {
  it('applies the committed migrations to an empty database and records them like Prisma', async () => {
    const expected = await migrationNames(MIGRATIONS_DIR);
    expect(expected.length).toBeGreaterThan(0);
    const messages: string[] = [];

    const applied = await applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, log: (m) => messages.push(m) });

    expect(applied).toEqual(expected);
    expect(messages).toEqual(expected.map((name) => `Applied migration ${name}`));
    const tables = await query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    // Every table the schema maps, and Prisma's bookkeeping table.
    const mapped = [...(await readFile(SCHEMA_PATH, 'utf8')).matchAll(/@@map\("([a-z0-9_]+)"\)/g)].map((m) => m[1]);
    expect(mapped.length).toBeGreaterThan(0);
    expect(tables.map((t) => t.table_name)).toEqual(['_prisma_migrations', ...mapped].sort());

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(expected);
    for (const row of rows) {
      const sql = await readFile(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('applies nothing the second time', async () => {
    const messages: string[] = [];
    const applied = await applyMigrations(scratchUrl, { migrationsDir: MIGRATIONS_DIR, log: (m) => messages.push(m) });
    expect(applied).toEqual([]);
    expect(messages).toEqual(['No pending migrations: the database is up to date.']);
    const [count] = await query<{ n: string }>('SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(count?.n)).toBe((await migrationNames(MIGRATIONS_DIR)).length);
  });

  it('finds the committed migrations in sync with prisma/schema.prisma', async () => {
    const report = await checkDrift(scratchUrl, { migrationsDir: MIGRATIONS_DIR, schemaPath: SCHEMA_PATH });
    expect(report).toMatchObject({ inSync: true, sql: '', pending: [], failed: [], databaseExists: true });
  });

  it('reports pending migrations of a database', async () => {
    const dir = await copyOfMigrations('pending');
    await addMigration(dir, '99990101000000_later', 'CREATE TABLE "later" ("id" INTEGER PRIMARY KEY);\n');
    const report = await checkDrift(scratchUrl, { migrationsDir: dir, schemaPath: SCHEMA_PATH });
    expect(report.pending).toEqual(['99990101000000_later']);
    // The folder now creates a table the schema does not have.
    expect(report.inSync).toBe(false);
    expect(report.sql).toContain('DROP TABLE "later"');
  });

  it('detects a schema change and writes the migration for it', async () => {
    const schema = await readFile(SCHEMA_PATH, 'utf8');
    const schemaPath = join(workDir, 'schema.prisma');
    await writeFile(
      schemaPath,
      `${schema}\nmodel Widget {\n  id    String @id @db.Uuid\n  label String @db.VarChar(40)\n\n  @@map("widgets")\n}\n`,
    );
    const migrationsDir = await copyOfMigrations('create');
    await rm(join(migrationsDir, 'migration_lock.toml'));

    const drift = await checkDrift(scratchUrl, { migrationsDir, schemaPath });
    expect(drift.inSync).toBe(false);
    expect(drift.sql).toContain('CREATE TABLE "widgets"');

    const messages: string[] = [];
    const created = await createMigration(scratchUrl, 'Add widgets', {
      migrationsDir,
      schemaPath,
      log: (m) => messages.push(m),
    });
    expect(created).not.toBeNull();
    expect(created?.name).toMatch(/^\d{14}_add_widgets$/);
    expect(created?.warnings).toEqual([]);
    const written = await readFile(join(migrationsDir, created?.name ?? '', 'migration.sql'), 'utf8');
    expect(written).toBe(created?.sql);
    // What `prisma migrate diff --from-migrations --to-schema --script` says is what gets written.
    expect(written).toBe(drift.sql);
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    expect(await migrationNames(migrationsDir)).toEqual([...(await migrationNames(MIGRATIONS_DIR)), created?.name]);

    // Now the folder matches the schema, and there is nothing more to write.
    expect((await checkDrift(scratchUrl, { migrationsDir, schemaPath })).inSync).toBe(true);
    expect(await createMigration(scratchUrl, 'again', { migrationsDir, schemaPath, log: quiet })).toBeNull();
    // The developer's database was not touched.
    const [widgets] = await query<{ t: string | null }>("SELECT to_regclass('public.widgets')::text AS t");
    expect(widgets?.t).toBeNull();
  });

  it('applies a migration with a dollar-quoted body as one statement', async () => {
    const dir = await copyOfMigrations('dollar');
    dollarDir = dir;
    await addMigration(
      dir,
      '99990101000000_touch_function',
      `CREATE TABLE "counters" ("id" INTEGER PRIMARY KEY, "n" INTEGER NOT NULL);

CREATE FUNCTION bump(counter INTEGER) RETURNS INTEGER AS $$
DECLARE
  result INTEGER;
BEGIN
  UPDATE "counters" SET "n" = "n" + 1 WHERE "id" = counter RETURNING "n" INTO result;
  IF result IS NULL THEN
    INSERT INTO "counters" ("id", "n") VALUES (counter, 1);
    result := 1;
  END IF;
  RETURN result;
END;
$$ LANGUAGE plpgsql;
`,
    );
    expect(await applyMigrations(scratchUrl, { migrationsDir: dir, log: quiet })).toEqual([
      '99990101000000_touch_function',
    ]);
    const [first] = await query<{ n: number }>('SELECT bump(7) AS n');
    const [second] = await query<{ n: number }>('SELECT bump(7) AS n');
    expect([first?.n, second?.n]).toEqual([1, 2]);
  });

  it('applies a migration atomically: a failing statement leaves nothing behind', async () => {
    // Starts from the previous test's folder, which this database has fully applied.
    const dir = await copyOfMigrations('atomic', dollarDir);
    await addMigration(
      dir,
      '99990101000000_broken',
      `CREATE TABLE "half_done" ("id" INTEGER PRIMARY KEY);
CREATE FUNCTION noop() RETURNS void AS $$ BEGIN PERFORM 1; END; $$ LANGUAGE plpgsql;
INSERT INTO "no_such_table" VALUES (1);
`,
    );
    await expect(applyMigrations(scratchUrl, { migrationsDir: dir, log: quiet })).rejects.toThrow(
      /99990101000000_broken[\s\S]*no_such_table/,
    );
    const [state] = await query<{ t: string | null; f: string | null }>(
      "SELECT to_regclass('public.half_done')::text AS t, to_regproc('public.noop')::text AS f",
    );
    expect(state).toEqual({ t: null, f: null });
    // Recorded as failed, as the native engine does.
    const rows = await query<{ finished_at: Date | null; logs: string | null }>(
      'SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = $1',
      ['99990101000000_broken'],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.finished_at).toBeNull();
    expect(rows[0]?.logs).toContain('no_such_table');
    // A folder whose migrations do not replay is reported, not papered over.
    await expect(checkDrift(scratchUrl, { migrationsDir: dir, schemaPath: SCHEMA_PATH })).rejects.toThrow(
      /99990101000000_broken[\s\S]*failed to apply cleanly to the shadow database/,
    );
  });
});
