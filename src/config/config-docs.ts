import { CONFIG_KEYS, type ConfigKey } from './config.schema.js';
import { ConfigError, loadConfig } from './load-config.js';

/**
 * Renders docs/configuration.md from CONFIG_KEYS. Pure and deterministic: the committed file
 * must equal this output (`npm run docs:config` writes it, `npm run check` and
 * config-docs.spec.ts compare). The Markdown is already in Prettier's format, so the format
 * gate and the drift gate never disagree.
 */
export function renderConfigurationDoc(): string {
  const keys = Object.values(CONFIG_KEYS) as ConfigKey<unknown>[];
  const lines = [
    '<!-- Generated from src/config/config.schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    '# Configuration',
    '',
    'Every setting of every role is an environment variable, declared once in',
    '`src/config/config.schema.ts` with its validation, its default and the reason for that default.',
    '',
    '## Where values come from',
    '',
    '- The process environment, and nothing else: no configuration file is read. An empty value counts',
    '  as unset.',
    '- An unset key takes its default. A key marked "required by" stops the roles it names from',
    '  starting; other roles ignore it (a worker needs no operator token).',
    '- For local use, `npm start` fills `DATABASE_URL` and `REDIS_URL` (project-local PostgreSQL and',
    '  Redis, unless you set them) and generates `MESH_ADMIN_TOKEN` and `MESH_MASTER_KEY`, keeping all',
    '  four in `.data/local.env` so the next start reuses them. Values in the real environment always',
    '  win. `npm run cli` and `npm run db:migrate` read the same file. Production sets its own values.',
    '',
    '## When a value is wrong',
    '',
    'A role validates its whole configuration before it opens any port or connection. When anything is',
    'missing or invalid it prints every problem at once on stderr and exits with code 78 (`EX_CONFIG`).',
    'Values of secret keys are shown as `<redacted>`. For example, the api role started with only',
    '`PORT=99999` set:',
    '',
    '```text',
    exampleFailure(),
    '```',
    '',
    '## Variables',
    '',
    ...table(
      ['Variable', 'Default', 'Secret'],
      keys.map((k) => [`[\`${k.env}\`](#${k.env.toLowerCase()})`, requirement(k), k.secret ? 'yes' : '']),
    ),
    ...keys.flatMap(section),
  ];
  return `${lines.join('\n')}\n`;
}

function requirement(k: ConfigKey<unknown>): string {
  if (k.default !== undefined) return `\`${k.default}\``;
  if (k.requiredBy !== undefined && k.requiredBy.length > 0) return `required by ${k.requiredBy.join(', ')}`;
  return 'optional';
}

function section(k: ConfigKey<unknown>): string[] {
  const facts =
    k.default !== undefined
      ? [`- Default: \`${k.default}\``]
      : k.requiredBy !== undefined && k.requiredBy.length > 0
        ? [`- Required by: ${k.requiredBy.join(', ')} (no default)`]
        : ['- Optional (no default)'];
  if (k.secret) facts.push('- Secret: never echoed in error messages; keep it out of images and version control');
  return ['', `### \`${k.env}\``, '', ...facts, '', k.doc];
}

/** The real message loadConfig produces, so the example cannot drift from the code. */
function exampleFailure(): string {
  try {
    loadConfig({ PORT: '99999' }, ['api']);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('the example configuration unexpectedly validated');
}

/** A Markdown table padded the way Prettier pads it (cells are ASCII: width is length). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
