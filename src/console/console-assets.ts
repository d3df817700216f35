import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the console is served. */
export const CONSOLE_PATH = '/console';

/**
 * The built console: <project>/dist/console-assets, written by scripts/lib/console-build.mjs. This
 * file is src/console/ when tests run the sources and dist/console/ when the build runs, two
 * levels below the project either way.
 */
export const CONSOLE_ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console-assets');

export function consoleBuilt(dir = CONSOLE_ASSETS_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline code: the
 * bundle has none), data through the same origin (/graphql, /admin/v1), never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Cache headers by file: the hashed bundles under assets/ never change under their name, so
 * browsers keep them a year; index.html names the current bundles, so it is revalidated each time.
 */
export function cacheControlFor(path: string): string {
  return /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}
