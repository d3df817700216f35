import { ALL_ROLES, CONFIG_KEYS, type AppConfig, type ConfigKey, type Role } from './config.schema.js';

/** Thrown at start-up with every invalid or missing key listed, so one attempt shows all problems. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee docs/configuration.md.`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration for the given roles. Pure: the environment is passed in,
 * so tests build configurations without touching process.env.
 */
export function loadConfig(env: NodeJS.ProcessEnv, roles: readonly Role[] = ALL_ROLES): AppConfig {
  const problems: string[] = [];
  const values: Record<string, unknown> = { roles };
  for (const [name, def] of Object.entries(CONFIG_KEYS) as [string, ConfigKey<unknown>][]) {
    const raw = env[def.env];
    const given = raw !== undefined && raw !== '';
    if (!given && def.default === undefined) {
      if (def.requiredBy?.some((r) => roles.includes(r))) {
        problems.push(`${def.env} is required (${def.doc.split('. ')[0]})`);
      }
      continue;
    }
    const input = given ? raw : def.default;
    const parsed = def.schema.safeParse(input);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const shown = def.secret ? '<redacted>' : JSON.stringify(input);
      const reason = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push(`${def.env} ${reason} (got ${shown})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values) as AppConfig;
}
