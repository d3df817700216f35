// @ts-check
// Private plumbing for scripts/lib/migrations.mjs: loads Prisma's WASM schema engine on Node 20
// and gives it a PostgreSQL driver adapter with the workarounds that @prisma/adapter-pg 7.10.1
// needs on the migration path. See docs/adr/0001-offline-migrations.md.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } from '@prisma/driver-adapter-utils';

/** @typedef {import('@prisma/schema-engine-wasm').SchemaEngine} SchemaEngine */
/** @typedef {import('@prisma/driver-adapter-utils').SqlDriverAdapter} SqlDriverAdapter */
/** @typedef {import('@prisma/driver-adapter-utils').SqlMigrationAwareDriverAdapterFactory} SqlMigrationAwareDriverAdapterFactory */

const require = createRequire(import.meta.url);

/** Postgres' internal single-byte `"char"` type and its array type. */
const PG_CHAR_OID = 18;
const PG_CHAR_ARRAY_OID = 1002;
const PG_TEXT_OID = 25;
const PG_TEXT_ARRAY_OID = 1009;

// ---------------------------------------------------------------------------------------------
// WASM loading
// ---------------------------------------------------------------------------------------------

/** @type {Promise<typeof import('@prisma/schema-engine-wasm')> | undefined} */
let enginePromise;

/**
 * The package entry does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 refuses
 * (ERR_UNKNOWN_FILE_EXTENSION). Instantiate the module ourselves and hand it to the wasm-bindgen
 * glue, exactly as the entry would. The engine's `setTimeout` import is wrapped so its timers are
 * unref'd: the engine leaves a ~10 s timer behind after some commands, which would otherwise keep
 * a test process alive (CLIs still call process.exit explicitly).
 * @returns {Promise<typeof import('@prisma/schema-engine-wasm')>}
 */
export function loadSchemaEngine() {
  enginePromise ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    /** @type {Record<string, unknown> & typeof import('@prisma/schema-engine-wasm/schema_engine_bg')} */
    const glue = await import(pathToFileURL(gluePath).href);
    const bytes = await readFile(join(dirname(gluePath), 'schema_engine_bg.wasm'));

    /** @type {Record<string, unknown>} */
    const imports = { ...glue };
    for (const key of Object.keys(glue)) {
      const original = glue[key];
      if (key.startsWith('__wbg_setTimeout_') && typeof original === 'function') {
        imports[key] = (/** @type {unknown[]} */ ...args) => {
          const timer = original(...args);
          if (timer && typeof timer === 'object' && 'unref' in timer && typeof timer.unref === 'function') {
            timer.unref();
          }
          return timer;
        };
      }
    }
    // The project's TypeScript libs (ES2023, no DOM) do not declare WebAssembly.
    /** @type {{ instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): Promise<{ instance: { exports: unknown } }> }} */
    const webAssembly = /** @type {any} */ (globalThis).WebAssembly;
    const { instance } = await webAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
    const exports = /** @type {{ __wbindgen_start: () => void }} */ (instance.exports);
    glue.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return /** @type {typeof import('@prisma/schema-engine-wasm')} */ (/** @type {unknown} */ (glue));
  })();
  return enginePromise;
}

// ---------------------------------------------------------------------------------------------
// Connection strings and databases
// ---------------------------------------------------------------------------------------------

/**
 * Validates a PostgreSQL URL and returns it parsed.
 * @param {string} databaseUrl
 * @returns {URL}
 */
export function parseDatabaseUrl(databaseUrl) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgresql://user:pass@host:port/db)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must be a postgresql:// URL, got ${url.protocol}//…`);
  }
  const schema = url.searchParams.get('schema');
  if (schema !== null && schema !== 'public') {
    throw new Error(`DATABASE_URL has ?schema=${schema}; only the "public" schema is supported`);
  }
  return url;
}

/**
 * @param {string} databaseUrl
 * @returns {string} the database name in the URL (PostgreSQL's default: the user name)
 */
export function databaseName(databaseUrl) {
  const url = parseDatabaseUrl(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return name || decodeURIComponent(url.username) || 'postgres';
}

/**
 * @param {string} databaseUrl
 * @param {string} name
 * @returns {string} the same URL pointing at database `name`
 */
export function withDatabase(databaseUrl, name) {
  const url = parseDatabaseUrl(databaseUrl);
  url.pathname = '/' + encodeURIComponent(name);
  return url.toString();
}

/** @param {string} name */
export function quoteIdent(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

/**
 * A pg URL for node-postgres: drops Prisma's `schema` parameter, which pg does not understand.
 * @param {string} databaseUrl
 */
function pgConnectionString(databaseUrl) {
  const url = parseDatabaseUrl(databaseUrl);
  url.searchParams.delete('schema');
  return url.toString();
}

/**
 * Runs `fn` with a short-lived pg client. If the database in the URL does not exist and
 * `fallbackToMaintenanceDb` is set, connects to the `postgres` database of the same server.
 * @template T
 * @param {string} databaseUrl
 * @param {(client: pg.Client) => Promise<T>} fn
 * @param {{ fallbackToMaintenanceDb?: boolean }} [options]
 * @returns {Promise<T>}
 */
export async function withClient(databaseUrl, fn, options = {}) {
  let client = new pg.Client({ connectionString: pgConnectionString(databaseUrl) });
  try {
    await client.connect();
  } catch (error) {
    if (!options.fallbackToMaintenanceDb || errorCode(error) !== '3D000') throw error;
    client = new pg.Client({ connectionString: pgConnectionString(withDatabase(databaseUrl, 'postgres')) });
    await client.connect();
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * @param {unknown} error
 * @returns {string | undefined}
 */
export function errorCode(error) {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/**
 * Creates the database named in the URL if it does not exist (as `prisma migrate deploy` does).
 * @param {string} databaseUrl
 * @returns {Promise<boolean>} whether it was created
 */
export async function ensureDatabaseExists(databaseUrl) {
  const name = databaseName(databaseUrl);
  try {
    await withClient(databaseUrl, async () => {});
    return false;
  } catch (error) {
    if (errorCode(error) !== '3D000') throw error;
  }
  await withClient(withDatabase(databaseUrl, 'postgres'), async (client) => {
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      if (errorCode(error) !== '42P04') throw error; // created concurrently
    }
  });
  return true;
}

/**
 * A unique name for a temporary database next to the one in the URL: `<db>_<kind>_<random>`.
 * @param {string} databaseUrl
 * @param {string} kind e.g. "shadow"
 */
function temporaryDatabaseName(databaseUrl, kind) {
  // Identifiers are limited to 63 bytes.
  return `${databaseName(databaseUrl).slice(0, 40)}_${kind}_${randomBytes(6).toString('hex')}`;
}

/**
 * Creates an empty temporary database on the server of `databaseUrl`.
 * @param {string} databaseUrl
 * @param {string} kind
 * @returns {Promise<string>} its name
 */
async function createTemporaryDatabase(databaseUrl, kind) {
  const name = temporaryDatabaseName(databaseUrl, kind);
  await withClient(databaseUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`), {
    fallbackToMaintenanceDb: true,
  });
  return name;
}

/**
 * Drops a database, closing any connection still open on it.
 * @param {string} databaseUrl a URL of the same server
 * @param {string} name
 */
async function dropDatabase(databaseUrl, name) {
  await withClient(databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`), {
    fallbackToMaintenanceDb: true,
  });
}

/**
 * Runs `fn` with the URL of a new empty database `<db>_<kind>_<random>` on the same server, and
 * drops that database afterwards.
 * @template T
 * @param {string} databaseUrl
 * @param {string} kind
 * @param {(url: string) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withTemporaryDatabase(databaseUrl, kind, fn) {
  const name = await createTemporaryDatabase(databaseUrl, kind);
  try {
    return await fn(withDatabase(databaseUrl, name));
  } finally {
    await dropDatabase(databaseUrl, name);
  }
}

// ---------------------------------------------------------------------------------------------
// The driver adapter
// ---------------------------------------------------------------------------------------------

/**
 * Workaround 1: @prisma/adapter-pg cannot map Postgres' internal `"char"` type (OID 18, used by
 * catalog columns such as pg_constraint.contype) nor decode `"char"[]` (OID 1002), and the engine's
 * introspection queries select both. This client reports them as text / text[] instead, and parses
 * `"char"[]` values like text[].
 */
class CharAsTextClient extends pg.Client {
  /**
   * @param {any} config
   * @param {any} [values]
   * @param {any} [callback]
   * @returns {any}
   */
  // @ts-expect-error pg.Client#query is an overload set; this override forwards every form.
  query(config, values, callback) {
    if (config && typeof config === 'object' && typeof config.submit !== 'function') {
      config = { ...config, types: charAwareTypes(config.types) };
    }
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (typeof callback === 'function') {
      const done = callback;
      return super.query(config, values, (/** @type {unknown} */ err, /** @type {unknown} */ res) =>
        done(err, err ? res : relabelCharFields(res)),
      );
    }
    const result = /** @type {any} */ (super.query(config, values));
    return result && typeof result.then === 'function' ? result.then(relabelCharFields) : result;
  }
}

/**
 * @param {{ getTypeParser: (oid: number, format?: any) => any } | undefined} types
 * @returns {{ getTypeParser: (oid: number, format?: any) => any }}
 */
function charAwareTypes(types) {
  /** @type {{ getTypeParser: (oid: number, format?: any) => any }} */
  const defaults = pg.types;
  const base = types ?? defaults;
  return {
    getTypeParser: (oid, format) =>
      oid === PG_CHAR_ARRAY_OID ? defaults.getTypeParser(PG_TEXT_ARRAY_OID, format) : base.getTypeParser(oid, format),
  };
}

/**
 * @param {unknown} result a pg Result, or an array of them for multi-statement queries
 * @returns {unknown}
 */
function relabelCharFields(result) {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results) {
    const fields = r && typeof r === 'object' && 'fields' in r && Array.isArray(r.fields) ? r.fields : [];
    for (const field of fields) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      else if (field.dataTypeID === PG_CHAR_ARRAY_OID) field.dataTypeID = PG_TEXT_ARRAY_OID;
    }
  }
  return result;
}

/**
 * Connects a PrismaPg adapter with the workarounds applied.
 * @param {string} databaseUrl
 * @param {{ afterDispose?: () => Promise<void>, onScriptError?: (error: pg.DatabaseError) => void }} [hooks]
 * @returns {Promise<SqlDriverAdapter>}
 */
async function connectAdapter(databaseUrl, hooks = {}) {
  const { afterDispose, onScriptError } = hooks;
  const factory = new PrismaPg(
    /** @type {pg.PoolConfig} */ ({
      connectionString: pgConnectionString(databaseUrl),
      Client: CharAsTextClient,
      max: 4,
    }),
  );
  const adapter = await factory.connect();
  const pool = adapter.underlyingDriver();

  // Workaround 2: PrismaPgAdapter#executeScript splits the script on ';' and sends the pieces
  // through the pool, possibly on different connections. That breaks dollar-quoted bodies and
  // makes a migration non-atomic. Send the whole script as ONE simple-protocol query instead:
  // PostgreSQL runs a multi-statement simple query as a single implicit transaction, which is
  // what the native schema engine does as well.
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      // Report database errors from scripts (i.e. migrations) verbatim: the adapter's usual
      // mapping turns e.g. a NOT NULL violation into a bare "Null constraint failed".
      if (error instanceof pg.DatabaseError) {
        onScriptError?.(error);
        throw new DriverAdapterError({
          kind: 'postgres',
          code: error.code ?? 'N/A',
          severity: error.severity ?? 'ERROR',
          message: error.message,
          detail: error.detail,
          column: error.column,
          hint: error.hint,
        });
      }
      // Otherwise let the adapter map the error into what the engine understands.
      /** @type {{ onError(e: unknown): never }} */ (/** @type {unknown} */ (adapter)).onError(error);
    }
  };

  // The engine disposes shadow connections itself but not always the main one; make dispose
  // idempotent so the session can close whatever is still open when it ends.
  const dispose = adapter.dispose.bind(adapter);
  /** @type {Promise<void> | undefined} */
  let disposing;
  adapter.dispose = () =>
    (disposing ??= (async () => {
      try {
        await dispose();
      } finally {
        await afterDispose?.();
      }
    })());
  return adapter;
}

/**
 * Workaround 3: PrismaPg#connectToShadowDb, given a connection string, ends up connected to the
 * MAIN database (the `database` override loses against the parsed connection string), so the
 * engine would replay migrations onto it. This factory creates a fresh, uniquely named database
 * `<db>_shadow_<random>` on the same server for every shadow connection the engine asks for, and
 * drops it when the engine disposes the connection (and, as a safety net, in `cleanup()`).
 *
 * @param {string} databaseUrl
 * @returns {{
 *   factory: SqlMigrationAwareDriverAdapterFactory,
 *   cleanup: () => Promise<void>,
 *   shadowDatabases: Set<string>,
 *   scriptErrors: pg.DatabaseError[],
 * }}
 */
export function createAdapterFactory(databaseUrl) {
  /** @type {pg.DatabaseError[]} database errors raised by scripts (migrations), oldest first */
  const scriptErrors = [];
  /** @param {pg.DatabaseError} error */
  const onScriptError = (error) => {
    scriptErrors.push(error);
  };
  /** @type {Set<string>} live shadow databases */
  const shadowDatabases = new Set();
  /** @type {Set<SqlDriverAdapter>} */
  const openAdapters = new Set();

  /** @param {SqlDriverAdapter} adapter */
  const track = (adapter) => {
    openAdapters.add(adapter);
    return adapter;
  };

  /** @param {string} name */
  const dropShadow = async (name) => {
    if (!shadowDatabases.has(name)) return;
    await dropDatabase(databaseUrl, name);
    shadowDatabases.delete(name);
  };

  /** @type {SqlMigrationAwareDriverAdapterFactory} */
  const factory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => track(await connectAdapter(databaseUrl, { onScriptError })),
    connectToShadowDb: async () => {
      const name = await createTemporaryDatabase(databaseUrl, 'shadow');
      shadowDatabases.add(name);
      try {
        return track(
          await connectAdapter(withDatabase(databaseUrl, name), {
            onScriptError,
            afterDispose: () => dropShadow(name),
          }),
        );
      } catch (error) {
        await dropShadow(name).catch(() => {});
        throw error;
      }
    },
  };

  const cleanup = async () => {
    for (const adapter of openAdapters) await adapter.dispose().catch(() => {});
    openAdapters.clear();
    for (const name of [...shadowDatabases]) await dropShadow(name);
  };
  return { factory, cleanup, shadowDatabases, scriptErrors };
}

// ---------------------------------------------------------------------------------------------
// Engine sessions
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} EngineSession
 * @property {SchemaEngine} engine
 * @property {Set<string>} shadowDatabases names of shadow databases currently alive
 */

/**
 * Starts a schema engine connected (lazily) to `databaseUrl`, runs `fn`, then frees the engine and
 * drops any shadow database left behind, whatever happened.
 * @template T
 * @param {string} databaseUrl
 * @param {string | null} schema the Prisma schema text, if the command needs one
 * @param {(session: EngineSession) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withSchemaEngine(databaseUrl, schema, fn) {
  parseDatabaseUrl(databaseUrl);
  const { SchemaEngine } = await loadSchemaEngine();
  const { factory, cleanup, shadowDatabases, scriptErrors } = createAdapterFactory(databaseUrl);
  const verbose = /\bschema-engine\b|\*/.test(process.env.DEBUG ?? '');
  const engine = await SchemaEngine.new(
    { datamodels: schema === null ? undefined : [['schema.prisma', schema]] },
    (/** @type {string} */ line) => {
      if (verbose) process.stderr.write(`[schema-engine] ${line}\n`);
    },
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await fn({ engine, shadowDatabases });
  } catch (error) {
    throw cleanEngineError(error, scriptErrors.at(-1));
  } finally {
    await cleanup();
  }
}

/**
 * Engine errors carry a Rust span trace after the message ("\n   0: schema_engine…"): keep the
 * human part in `message` and the rest in `engineTrace`. When the failure came from a script (a
 * migration), add PostgreSQL's own error, which the engine reduces to e.g. "Null constraint failed",
 * the way the native CLI reports it; it is also kept as `databaseError`.
 * @param {unknown} error
 * @param {pg.DatabaseError | undefined} scriptError
 * @returns {unknown}
 */
function cleanEngineError(error, scriptError) {
  if (!(error instanceof Error)) return error;
  const cut = error.message.search(/\n\s+0: /);
  if (cut > 0) {
    Object.assign(error, { engineTrace: error.message.slice(cut) });
    error.message = error.message.slice(0, cut).trimEnd();
  }
  if (scriptError) {
    Object.assign(error, { databaseError: scriptError });
    const lines = [`Database error code: ${scriptError.code ?? 'unknown'}`, `Database error: ${scriptError.message}`];
    if (scriptError.detail) lines.push(`DETAIL: ${scriptError.detail}`);
    if (scriptError.hint) lines.push(`HINT: ${scriptError.hint}`);
    if (scriptError.where) lines.push(`CONTEXT: ${scriptError.where}`);
    error.message += '\n' + lines.join('\n');
  }
  return error;
}
