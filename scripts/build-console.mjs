// @ts-check
// Bundles the web console (console/ → dist/console-assets), as `npm run build` does after tsc, so a
// production build (`npm run build && npm run start:api`) serves it too. Skipped when up to date.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole } from './lib/console-build.mjs';

await buildConsole(dirname(dirname(fileURLToPath(import.meta.url))));
