// @ts-check
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsole } from './console-build.mjs';
import { run } from './run.mjs';

/**
 * Generates the Prisma client when schema.prisma changed since the last generation. The CLI
 * wants a native engine it cannot download here; generation does not use it, so any existing
 * file satisfies the check (see docs/adr/0001-offline-migrations.md).
 * @param {string} root
 * @param {{ force?: boolean }} [options]
 */
export async function generatePrismaClient(root, options = {}) {
  const schema = readFileSync(join(root, 'prisma', 'schema.prisma'));
  const prismaVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'prisma', 'package.json'), 'utf8')).version;
  const want = createHash('sha256').update(schema).update(prismaVersion).digest('hex');
  const stamp = join(root, 'src', 'generated', 'prisma', '.schema.sha256');
  if (!options.force && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  await run(join(root, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', 'prisma/schema.prisma'], {
    cwd: root,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    quiet: true,
  });
  writeFileSync(stamp, `${want}\n`);
}

/**
 * Compiles src/ to dist/ with tsc (incremental: a no-op build takes about a second), and bundles
 * the web console into dist/console-assets (skipped when its inputs did not change).
 * @param {string} root
 */
export async function build(root) {
  await generatePrismaClient(root);
  await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root });
  await buildConsole(root);
}
