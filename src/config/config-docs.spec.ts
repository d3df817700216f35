import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from './config-docs.js';
import { CONFIG_KEYS } from './config.schema.js';

const DOC = new URL('../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is what the config schema renders', () => {
    const committed = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    expect(committed, 'docs/configuration.md is out of date with the config schema: run npm run docs:config').toBe(
      renderConfigurationDoc(),
    );
  });

  it('documents every key under its environment variable', () => {
    const doc = renderConfigurationDoc();
    for (const key of Object.values(CONFIG_KEYS)) {
      expect(doc, `${key.env} is missing`).toContain(`### \`${key.env}\``);
    }
  });
});
