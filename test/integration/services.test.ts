// ensureServices (scripts/lib/services.mjs), for real on this machine: it reuses the running
// project-local PostgreSQL/Redis (starting them if needed), or checks DATABASE_URL / REDIS_URL
// when the harness set them (as `npm test` does), and creates a scratch database.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, it, expect, afterAll } from 'vitest';
import { ensureServices } from '../../scripts/lib/services.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratchDb = `svc_test_${randomBytes(4).toString('hex')}`;

type Ensured = Awaited<ReturnType<typeof ensureServices>>;
let first: Ensured | undefined;

async function ensureQuietly(): Promise<{ result: Ensured; logs: string[] }> {
  const logs: string[] = [];
  const result = await ensureServices({ root, databases: [scratchDb], log: (msg) => logs.push(msg) });
  return { result, logs };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Raw RESP round trip (AUTH first when the URL has a password); resolves with PING's reply line. */
function redisPing(url: string): Promise<string> {
  const u = new URL(url);
  const commands: string[][] = [];
  const password = decodeURIComponent(u.password);
  if (password) commands.push(u.username ? ['AUTH', decodeURIComponent(u.username), password] : ['AUTH', password]);
  commands.push(['PING']);
  const payload = commands
    .map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
    .join('');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(u.port || 6379);
  return new Promise((resolve, reject) => {
    const onConnect = (): void => {
      socket.write(payload);
    };
    const socket =
      u.protocol === 'rediss:' ? tls.connect({ host, port }, onConnect) : net.connect({ host, port }, onConnect);
    let received = '';
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port}`));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const lines = received.split('\r\n');
      if (lines.length > commands.length) {
        socket.destroy();
        resolve(lines[commands.length - 1] ?? '');
      }
    });
    socket.on('error', reject);
  });
}

describe('ensureServices', () => {
  afterAll(async () => {
    const url = first?.databaseUrls[scratchDb];
    if (!url) return;
    // Drop it from another database on the same server: `postgres`, else DATABASE_URL's own.
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const candidates = [admin.href, ...(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])];
    let remaining: number | null = null;
    for (const candidate of candidates) {
      try {
        remaining = await withClient(candidate, async (c) => {
          await c.query(`DROP DATABASE IF EXISTS "${scratchDb}" WITH (FORCE)`);
          return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratchDb])).rowCount;
        });
        break;
      } catch (e) {
        if (candidate === candidates[candidates.length - 1]) throw e;
      }
    }
    expect(remaining).toBe(0);
  });

  it('returns working PostgreSQL (with the new database) and Redis URLs', { timeout: 300_000 }, async () => {
    const { result } = await ensureQuietly();
    first = result;

    expect(Object.keys(result.databaseUrls)).toEqual([scratchDb]);
    expect(result.local).toEqual({ postgres: !process.env.DATABASE_URL, redis: !process.env.REDIS_URL });
    if (!process.env.DATABASE_URL)
      expect(result.databaseUrls[scratchDb]).toMatch(/^postgres:\/\/meshplane:[^@]+@127\.0\.0\.1:\d+\//);
    if (!process.env.REDIS_URL) expect(result.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);

    const url = result.databaseUrls[scratchDb];
    if (!url) throw new Error('no URL for the scratch database');
    const row = await withClient(
      url,
      async (c) => (await c.query<{ db: string; one: number }>('SELECT current_database() AS db, 1 AS one')).rows[0],
    );
    expect(row).toEqual({ db: scratchDb, one: 1 });

    expect(await redisPing(result.redisUrl)).toBe('+PONG');
  });

  it('is idempotent: a second call starts and creates nothing and returns the same URLs', async () => {
    if (!first) throw new Error('the first call failed');
    const { result, logs } = await ensureQuietly();
    expect(result).toEqual(first);
    expect(logs.filter((l) => /\b(started|created database|initialising)\b/.test(l))).toEqual([]);

    const url = result.databaseUrls[scratchDb];
    if (!url) throw new Error('no URL for the scratch database');
    const one = await withClient(url, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one);
    expect(one).toBe(1);
    expect(await redisPing(result.redisUrl)).toBe('+PONG');
  });
});
