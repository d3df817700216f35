import { z } from 'zod';

/**
 * Every configuration key of every role, declared once: environment variable, validation,
 * default and the reason for the default. `docs/configuration.md` is generated from this
 * table (`npm run check` fails when the two disagree).
 */
export interface ConfigKey<T> {
  readonly env: string;
  readonly schema: z.ZodType<T>;
  /** Shown in the docs; `undefined` means the key is required (or optional, see `required`). */
  readonly default?: string;
  /** Roles that refuse to start without the key. Keys without a default and not required here are optional. */
  readonly requiredBy?: readonly Role[];
  readonly secret?: boolean;
  readonly doc: string;
}

export type Role = 'api' | 'worker' | 'xds';
export const ALL_ROLES: readonly Role[] = ['api', 'worker', 'xds'];

const PORT_RULE = 'must be a TCP port (1-65535)';
const port = z.coerce.number({ error: PORT_RULE }).int(PORT_RULE).min(1, PORT_RULE).max(65535, PORT_RULE);
const positiveInt = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .positive('must be a positive integer');
const url = (schemes: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${schemes.join(' or ')}` },
  );

/** Keeps each entry's literal type, so AppConfig knows which keys have defaults. */
function key<const K extends ConfigKey<any>>(k: K): K {
  return k;
}

export const CONFIG_KEYS = {
  host: key({
    env: 'HOST',
    schema: z.string().min(1),
    default: '0.0.0.0',
    doc: 'Address the HTTP API (and the health/metrics port of the worker and xds roles) listens on. All interfaces by default because the API is meant to be reached from other hosts; use 127.0.0.1 to keep it local.',
  }),
  port: key({
    env: 'PORT',
    schema: port,
    default: '8080',
    doc: 'HTTP port of the api role: App Mesh REST API, /v1, /admin/v1, /healthz, /readyz, /metrics.',
  }),
  workerHttpPort: key({
    env: 'WORKER_HTTP_PORT',
    schema: port,
    default: '8081',
    doc: 'HTTP port of a standalone worker role, serving only /healthz, /readyz and /metrics. Unused when all roles run in one process (`npm start`).',
  }),
  xdsHttpPort: key({
    env: 'XDS_HTTP_PORT',
    schema: port,
    default: '8082',
    doc: 'HTTP port of a standalone xds role for /healthz, /readyz and /metrics. Unused when all roles run in one process.',
  }),
  xdsHost: key({
    env: 'XDS_HOST',
    schema: z.string().min(1),
    default: '0.0.0.0',
    doc: 'Address the gRPC xDS server listens on. Envoys run on other hosts, so all interfaces by default.',
  }),
  xdsPort: key({
    env: 'XDS_PORT',
    schema: port,
    default: '18000',
    doc: 'gRPC port of the xDS server (ADS for Envoy and proxyless gRPC). 18000 is the port go-control-plane examples and most Envoy tutorials use.',
  }),
  databaseUrl: key({
    env: 'DATABASE_URL',
    schema: url(['postgres', 'postgresql']),
    requiredBy: ALL_ROLES,
    secret: true,
    doc: 'PostgreSQL connection URL, the source of truth. `npm start` sets it to a project-local instance when unset.',
  }),
  databasePoolSize: key({
    env: 'DATABASE_POOL_SIZE',
    schema: positiveInt.max(200, 'must be at most 200'),
    default: '10',
    doc: "Connections per process. Ten keeps a replica well below PostgreSQL's default max_connections (100) even with several replicas of each role.",
  }),
  redisUrl: key({
    env: 'REDIS_URL',
    schema: url(['redis', 'rediss']),
    requiredBy: ALL_ROLES,
    secret: true,
    doc: 'Redis connection URL (queues, compiled snapshots, change notifications). `npm start` sets it to a project-local instance when unset.',
  }),
  adminToken: key({
    env: 'MESH_ADMIN_TOKEN',
    schema: z.string().min(24, 'must be at least 24 characters (it guards every tenant)'),
    requiredBy: ['api'],
    secret: true,
    doc: 'Bearer token of platform operators for /admin/v1. `npm start` generates one into .data/local.env and prints it when unset; production must set its own.',
  }),
  masterKey: key({
    env: 'MESH_MASTER_KEY',
    schema: z.string().refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
      message: 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
    }),
    requiredBy: ['api'],
    secret: true,
    doc: 'Key that encrypts access-key secrets at rest (AES-256-GCM). SigV4 needs the plain secret to recompute signatures, so secrets cannot be hashed. Losing this key makes every access key unusable. `npm start` generates one into .data/local.env (with a warning) when unset.',
  }),
  region: key({
    env: 'MESH_REGION',
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must look like an AWS region, e.g. us-east-1'),
    default: 'us-east-1',
    doc: 'Region in ARNs and the SigV4 credential scope clients must sign for. us-east-1 is what AWS SDKs and the CLI use when no region is configured.',
  }),
  sigv4MaxSkewSeconds: key({
    env: 'SIGV4_MAX_SKEW_SECONDS',
    schema: positiveInt.max(3600, 'must be at most 3600'),
    default: '300',
    doc: "Largest difference between a request's X-Amz-Date and the server clock. 300 s is what AWS enforces; the SDKs correct their clock from the Date header and retry.",
  }),
  logLevel: key({
    env: 'LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'Minimum level of the JSON logs written to stdout.',
  }),
  shutdownTimeoutMs: key({
    env: 'SHUTDOWN_TIMEOUT_MS',
    schema: positiveInt.max(300_000, 'must be at most 300000'),
    default: '10000',
    doc: 'On SIGTERM a process stops accepting work, drains and closes its pools; after this long it exits anyway. Kubernetes gives 30 s before SIGKILL, so 10 s leaves room for the load balancer to notice.',
  }),
} as const;

type Keys = typeof CONFIG_KEYS;
/**
 * The validated configuration. Keys with a default, or required by some role, are typed as
 * present: a role only reads the keys it requires, and `loadConfig` refuses to start it otherwise.
 */
export type AppConfig = {
  readonly [K in keyof Keys]: Keys[K]['schema'] extends z.ZodType<infer T>
    ? Keys[K] extends { default: string } | { requiredBy: readonly Role[] }
      ? T
      : T | undefined
    : never;
} & { readonly roles: readonly Role[] };
