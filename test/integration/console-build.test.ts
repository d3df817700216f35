import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_OUT_DIR, buildConsole, consoleInputsHash } from '../../scripts/lib/console-build.mjs';
import { CONSOLE_ASSETS_DIR, cacheControlFor } from '../../src/console/console-assets.js';
import { REPO_ROOT } from '../support/processes.js';

/** The console's build inside `npm test`/`npm start` (scripts/lib/console-build.mjs). */
describe('console build', () => {
  it('is where the api role serves it from, stamped with the hash of its inputs', () => {
    expect(join(REPO_ROOT, CONSOLE_OUT_DIR)).toBe(CONSOLE_ASSETS_DIR);
    // npm test built it before the tests started.
    const stamp = readFileSync(join(CONSOLE_ASSETS_DIR, '.inputs.sha256'), 'utf8').trim();
    expect(stamp).toBe(consoleInputsHash(REPO_ROOT));
  });

  it('is skipped when nothing it is built from changed', async () => {
    const index = join(CONSOLE_ASSETS_DIR, 'index.html');
    const before = statSync(index).mtimeMs;
    await buildConsole(REPO_ROOT);
    expect(statSync(index).mtimeMs).toBe(before);
  });

  it('lets browsers keep the hashed bundles and revalidate the page', () => {
    expect(cacheControlFor(join(CONSOLE_ASSETS_DIR, 'assets', 'index-abc123.js'))).toBe(
      'public, max-age=31536000, immutable',
    );
    expect(cacheControlFor(join(CONSOLE_ASSETS_DIR, 'index.html'))).toBe('no-cache');
  });
});
