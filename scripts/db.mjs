#!/usr/bin/env node
// @ts-check
// Database commands that work without the Prisma CLI's native schema engine
// (see docs/adr/0001-offline-migrations.md):
//
//   node scripts/db.mjs migrate            apply pending migrations      (npm run db:migrate)
//   node scripts/db.mjs migration <name>   write a migration for schema changes (npm run db:migration -- <name>)
//   node scripts/db.mjs check              fail if prisma/schema.prisma and the migrations differ (npm run db:check)
//   node scripts/db.mjs generate           prisma generate               (npm run db:generate)
//   node scripts/db.mjs resolve --rolled-back <name>   after a migration failed (prisma migrate resolve)
//
// Exit codes: 0 ok, 1 drift or failure, 2 usage / missing DATABASE_URL.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePrismaClient } from './lib/build.mjs';
import { readLocalEnv } from './lib/local-env.mjs';
import { applyMigrations, checkDrift, createMigration, markMigrationRolledBack } from './lib/migrations.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `Usage: node scripts/db.mjs <command>

  migrate            apply pending migrations from prisma/migrations
  migration <name>   write prisma/migrations/<timestamp>_<name>/migration.sql for schema changes
  check              exit 1 if prisma/schema.prisma has changes without a migration
  generate           run prisma generate (no schema engine download needed)
  resolve --rolled-back <name>
                     mark a failed migration as rolled back so that migrate retries it`;

/** @returns {string} */
function requireDatabaseUrl() {
  // After `npm start`, the local instance's URL is in .data/local.env.
  const url = process.env.DATABASE_URL || readLocalEnv(ROOT).DATABASE_URL;
  if (!url) {
    console.error(
      'DATABASE_URL is not set. Run `npm start` (it starts the local services and sets it up), ' +
        'or set DATABASE_URL to a PostgreSQL URL, e.g.\n' +
        '  DATABASE_URL=postgresql://user:password@localhost:5432/meshplane npm run db:migrate',
    );
    process.exit(2);
  }
  return url;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>}
 */
async function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate': {
      await applyMigrations(requireDatabaseUrl());
      return 0;
    }
    case 'migration': {
      const name = rest.join('_').trim();
      if (!name) {
        console.error('Usage: npm run db:migration -- <name>   (e.g. npm run db:migration -- add_meshes)');
        return 2;
      }
      await createMigration(requireDatabaseUrl(), name);
      return 0;
    }
    case 'check': {
      const report = await checkDrift(requireDatabaseUrl());
      let code = 0;
      if (report.inSync) {
        console.log('prisma/schema.prisma and prisma/migrations are in sync.');
      } else {
        console.error('prisma/schema.prisma has changes that no migration covers. The missing migration would be:\n');
        console.error(report.sql.trimEnd().replace(/^(?=.)/gm, '    '));
        console.error('\nCreate it with: npm run db:migration -- <name>');
        code = 1;
      }
      if (!report.databaseExists) {
        console.log('Note: the database in DATABASE_URL does not exist yet; `npm run db:migrate` creates it.');
      } else if (report.pending.length > 0) {
        console.log(
          `Note: the database has ${report.pending.length} unapplied migration(s): ${report.pending.join(', ')}`,
        );
        console.log('      Apply them with: npm run db:migrate');
      }
      if (report.failed.length > 0) {
        console.error(`The database has failed migration(s): ${report.failed.join(', ')}`);
        code = 1;
      }
      if (report.edited.length > 0) {
        console.error(`Applied migration(s) changed since they were applied: ${report.edited.join(', ')}`);
        code = 1;
      }
      if (report.unknown.length > 0) {
        console.error(
          `The database has applied migration(s) missing from prisma/migrations: ${report.unknown.join(', ')}`,
        );
        code = 1;
      }
      return code;
    }
    case 'generate':
      await generatePrismaClient(ROOT, { force: true });
      return 0;
    case 'resolve': {
      const [flag, name] = rest;
      if (flag !== '--rolled-back' || !name) {
        console.error('Usage: node scripts/db.mjs resolve --rolled-back <migration directory name>');
        return 2;
      }
      await markMigrationRolledBack(requireDatabaseUrl(), name);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
      return 2;
  }
}

// The schema engine leaves a timer behind after some commands: always exit explicitly.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\n${message}`);
    const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
      console.error('Is PostgreSQL running at the address in DATABASE_URL? `npm start` starts the local services.');
    }
    if (process.env.DEBUG && error instanceof Error && error.stack) console.error(error.stack);
    if (error && typeof error === 'object' && 'engineTrace' in error && process.env.DEBUG)
      console.error(error.engineTrace);
    process.exit(1);
  },
);
