#!/usr/bin/env node
// @ts-check
/**
 * node scripts/services.mjs up      start (or reuse) PostgreSQL + Redis; prints DATABASE_URL=… / REDIS_URL=…
 * node scripts/services.mjs down    stop the project-local instances (data is kept in .data/)
 * node scripts/services.mjs status  whether the project-local instances are running
 *
 * Progress goes to stderr, results to stdout (so `eval "$(node scripts/services.mjs up)"` works).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceError, ensureServices, statusServices, stopServices } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/services.mjs up|down|status';

/**
 * @param {string} name
 * @param {import('./lib/services.mjs').LocalServiceStatus} s
 * @param {string | undefined} envUrl
 * @param {string} envVar
 */
function describe(name, s, envUrl, envVar) {
  const where = s.dataDir
    ? `, data: ${path.relative(root, s.dataDir).startsWith('..') ? s.dataDir : path.relative(root, s.dataDir)}`
    : '';
  const state = s.running
    ? `running (project-local, pid ${s.pid}${s.address ? `, ${s.address}` : ''}${where})`
    : `not running (project-local${s.dataDir ? where : ', never started'})`;
  const note = envUrl ? `  [${envVar} is set, so the app uses ${envUrl} instead]` : '';
  return `${name}: ${state}${note}`;
}

try {
  switch (process.argv[2]) {
    case 'up': {
      const { databaseUrls, redisUrl } = await ensureServices({ root, databases: ['meshplane'] });
      process.stdout.write(`DATABASE_URL=${databaseUrls.meshplane}\nREDIS_URL=${redisUrl}\n`);
      break;
    }
    case 'down':
      await stopServices({ root });
      break;
    case 'status': {
      const s = await statusServices({ root });
      process.stdout.write(`${describe('postgres', s.postgres, s.databaseUrl, 'DATABASE_URL')}\n`);
      process.stdout.write(`${describe('redis', s.redis, s.redisUrl, 'REDIS_URL')}\n`);
      break;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
} catch (e) {
  if (!(e instanceof ServiceError)) throw e;
  console.error(`error: ${e.message}`);
  if (e.hint) console.error(`\n${e.hint}`);
  process.exitCode = 1;
}
