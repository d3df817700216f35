import { z } from 'zod';
import { HOST_RULE, isHost } from '../common/validation/host.js';

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
const nonNegativeInt = z.coerce
  .number({ error: 'must be a non-negative integer' })
  .int('must be a non-negative integer')
  .min(0, 'must be a non-negative integer');
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
  httpHeadersTimeoutMs: key({
    env: 'HTTP_HEADERS_TIMEOUT_MS',
    schema: positiveInt.max(600_000, 'must be at most 600000'),
    default: '10000',
    doc: "Longest time a client may take, from opening a connection (or starting its next request on a kept-alive one), to send a request's line and headers; after it the connection gets a 408 `RequestTimeoutException` and is closed. Headers are a few hundred bytes (16 KiB at most) and every client sends them at once, so 10 s only cuts connections that send nothing or trickle bytes to hold a socket (slowloris); Node's own default is 60 s. Capped at HTTP_REQUEST_TIMEOUT_MS.",
  }),
  httpRequestTimeoutMs: key({
    env: 'HTTP_REQUEST_TIMEOUT_MS',
    schema: positiveInt.max(600_000, 'must be at most 600000'),
    default: '30000',
    doc: "Longest time a client may take to send a whole request, headers and body, counted like HTTP_HEADERS_TIMEOUT_MS; a body that is still incomplete then gets a 408 `RequestTimeoutException` and the connection is closed. The largest body accepted is 1 MiB, which 30 s lets through at 35 KB/s; App Mesh requests are a few KiB. It bounds how long a request that never completes holds a connection (Node's default is 5 minutes). Time spent handling a complete request does not count.",
  }),
  httpKeepAliveTimeoutMs: key({
    env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
    schema: positiveInt.max(3_600_000, 'must be at most 3600000'),
    default: '72000',
    doc: "How long a kept-alive connection may stay idle between requests before the server closes it. It must be longer than the idle timeout of any load balancer in front of the api (AWS ALB: 60 s), or the balancer may send a request on a connection the server is closing and answer 502; 72 s is Fastify's default for that reason. Raise it above your balancer's idle timeout if that is longer.",
  }),
  httpSocketIdleTimeoutMs: key({
    env: 'HTTP_SOCKET_IDLE_TIMEOUT_MS',
    schema: positiveInt.max(3_600_000, 'must be at most 3600000'),
    default: '60000',
    doc: 'A connection on which no byte is sent or received for this long while a request is in progress is closed: it bounds a client that stops reading a response (the request timeouts only cover receiving). No API request takes anywhere near this long to handle; idle time between requests is governed by HTTP_KEEP_ALIVE_TIMEOUT_MS instead.',
  }),
  httpMaxConnectionsPerClient: key({
    env: 'HTTP_MAX_CONNECTIONS_PER_CLIENT',
    schema: nonNegativeInt.max(1_000_000, 'must be at most 1000000'),
    default: '256',
    doc: "Open connections one client address may hold at once (IPv6 addresses count per /64, the block one host usually gets); a further connection is closed as soon as it is accepted and counted in `meshplane_http_connections_refused_total`. One AWS SDK for JavaScript client pools up to 50 sockets and keeps them open, the AWS CLI 10, Terraform runs 10 operations in parallel and Node's fetch has no limit per server, so 256 leaves a busy machine running several of them room, while one address cannot take thousands of sockets. Behind a load balancer or proxy every connection comes from its address: raise the value above its connection pool, or set 0 (no limit) and let it enforce per-client limits.",
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
  xdsListenBacklog: key({
    env: 'XDS_LISTEN_BACKLOG',
    schema: positiveInt,
    default: '4096',
    doc: "Length of the xDS port's accept queue (the `listen(2)` backlog): connections the kernel completes before the shard accepts them. During a reconnect storm (a shard restarted, a load balancer failing over) thousands of proxies connect at once; with Node's default of 511 the kernel drops the SYNs beyond it and those proxies retry only after their backoff, which made the benchmark's reconnect storms of 10,000 proxies take 42 s and 70 s instead of 28 s and 20 s (bench/xds). The kernel caps the value at `net.core.somaxconn` (4096 by default on Linux 5.4 and later; raise that sysctl to go beyond it).",
  }),
  xdsShardId: key({
    env: 'XDS_SHARD_ID',
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
    doc: 'Name of this xds shard in the session registry (which proxies are connected where). Defaults to `<hostname>-<pid>`.',
  }),
  xdsMaxStreams: key({
    env: 'XDS_MAX_STREAMS',
    schema: positiveInt,
    default: '20000',
    doc: 'Streams one shard accepts at most; further streams get UNAVAILABLE, so a load balancer or the proxy retries elsewhere.',
  }),
  xdsAdmissionRate: key({
    env: 'XDS_ADMISSION_RATE',
    schema: positiveInt,
    default: '1000',
    doc: 'New xDS streams one shard starts serving per second (admission control): a reconnect storm is spread out instead of taking the shard down. Streams beyond the rate wait their turn, first come first served, up to XDS_ADMISSION_MAX_WAIT_MS.',
  }),
  xdsAdmissionMaxWaitMs: key({
    env: 'XDS_ADMISSION_MAX_WAIT_MS',
    schema: positiveInt,
    default: '10000',
    doc: 'Longest a new xDS stream waits for admission: the queue holds XDS_ADMISSION_RATE streams per second of this. A stream that would wait longer is refused with UNAVAILABLE at once, and Envoy retries with backoff.',
  }),
  xdsMaxConnectionAgeMs: key({
    env: 'XDS_MAX_CONNECTION_AGE_MS',
    schema: positiveInt,
    default: '1800000',
    doc: 'A connection is closed (GOAWAY, then a grace period) after this age, ±10% jitter, so proxies rebalance across shards; Envoy reconnects and keeps its configuration meanwhile.',
  }),
  xdsTlsCertFile: key({
    env: 'XDS_TLS_CERT_FILE',
    schema: z.string().min(1),
    doc: 'PEM certificate chain for TLS on the xDS port. With XDS_TLS_KEY_FILE; both unset means plaintext (behind a TLS-terminating load balancer or on a private network).',
  }),
  xdsTlsKeyFile: key({
    env: 'XDS_TLS_KEY_FILE',
    schema: z.string().min(1),
    secret: true,
    doc: 'PEM private key for TLS on the xDS port (with XDS_TLS_CERT_FILE).',
  }),
  xdsPublicHost: key({
    env: 'XDS_PUBLIC_HOST',
    schema: z.string().refine(isHost, HOST_RULE),
    default: '127.0.0.1',
    doc: 'The address proxies use to reach the xDS fleet, e.g. the L4 load balancer in front of the xds shards: generated bootstraps point Envoys and proxyless gRPC clients at it (a request can override it with `xdsHost`). A DNS name or an IP address. The default suits `npm start`, where proxies run on the same machine.',
  }),
  xdsPublicPort: key({
    env: 'XDS_PUBLIC_PORT',
    schema: port,
    doc: "The port proxies use to reach the xDS fleet, with XDS_PUBLIC_HOST. When unset, bootstraps use XDS_PORT: right when proxies connect to a shard directly, or through a load balancer listening on the shards' port.",
  }),
  xdsPublicTls: key({
    env: 'XDS_PUBLIC_TLS',
    schema: z.stringbool({ error: 'must be true or false' }),
    default: 'false',
    doc: 'Whether proxies reach XDS_PUBLIC_HOST over TLS although the xds server itself listens in plaintext, e.g. behind a load balancer that terminates TLS. Generated bootstraps then connect to the xDS fleet over TLS, verifying its certificate. Setting XDS_TLS_CERT_FILE implies it; a request can also choose with `tls=true` or `tls=false`.',
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
  queuePrefix: key({
    env: 'QUEUE_PREFIX',
    schema: z.string().regex(/^[A-Za-z0-9_.{}-]{1,64}$/, 'must be 1-64 letters, digits or _ . - { }'),
    default: 'meshplane',
    doc: "Prefix of every key and channel this installation uses in Redis: the BullMQ queues (`<prefix>:<queue>:...`) and the xDS data (`<prefix>:xds:...`: compiled meshes, sessions, endpoints, the change channel; braces removed). Processes with the same prefix are one installation; give each installation that shares a Redis database its own. Wrap it in braces (`{meshplane}`) on Redis Cluster so a queue's keys share one slot.",
  }),
  reconcileDebounceMs: key({
    env: 'RECONCILE_DEBOUNCE_MS',
    schema: nonNegativeInt.max(60_000, 'must be at most 60000'),
    default: '100',
    doc: "A change to a mesh that has not started a compile for this long compiles at once; a change sooner after a compile waits this long for more changes, and each further change restarts the wait (up to RECONCILE_MAX_DELAY_MS). 100 ms coalesces the bursts that Terraform and scripts send (one apply is many calls) and is Istio's PILOT_DEBOUNCE_AFTER. 0 compiles every change as soon as a worker is free.",
  }),
  reconcileMaxDelayMs: key({
    env: 'RECONCILE_MAX_DELAY_MS',
    schema: nonNegativeInt.max(600_000, 'must be at most 600000'),
    default: '200',
    doc: "Longest a pending compile of a mesh is postponed by further changes, counted from the first change it covers: a steady stream of changes still compiles at least this often. 200 ms keeps commit-to-Envoy latency near 200 ms at p50 under 20 changes a second to one mesh (bench/results/propagation.md); Istio's PILOT_DEBOUNCE_MAX is 10 s because its pushes are full recomputes, ours are incremental. A value below RECONCILE_DEBOUNCE_MS caps the debounce.",
  }),
  reconcileSweepIntervalMs: key({
    env: 'RECONCILE_SWEEP_INTERVAL_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(3_600_000, 'must be at most 3600000'),
    default: '10000',
    doc: 'How often a worker looks for meshes whose generation is ahead of their compiled generation (a lost job, a failed enqueue, Redis restarted) and enqueues them. It bounds how long such a change can stay unpublished; each sweep is one query over the meshes table that returns only the meshes behind, plus a SCAN of the compiled meshes in Redis for meshes deleted while their compile was lost (their compiled data is then removed).',
  }),
  meshChangeRetentionMs: key({
    env: 'MESH_CHANGE_RETENTION_MS',
    schema: positiveInt.min(60_000, 'must be at least 60000'),
    default: '86400000',
    doc: 'How long the change log (`mesh_changes`: one row per committed change, read by workers to load a mesh incrementally) keeps a row; the reconcile sweep deletes older ones. A worker whose last snapshot of a mesh is older than what the log still holds reads the whole mesh instead, so any value is safe; shorter means more full reads after quiet periods. 1 day by default.',
  }),
  reconcileAttempts: key({
    env: 'RECONCILE_ATTEMPTS',
    schema: positiveInt.max(50, 'must be at most 50'),
    default: '5',
    doc: 'Attempts of one reconcile job before it is recorded as failed, with exponential backoff from 250 ms between them (250, 500, 1000, 2000 ms: about 4 s in all). A failed compile does not fail its job (it schedules the next try, see RECONCILE_FAILURE_BACKOFF_MS); these attempts are for a job that cannot even do that, e.g. while Redis refuses the follow-up. A mesh still behind after them is enqueued again by the next sweep.',
  }),
  reconcileConcurrency: key({
    env: 'RECONCILE_CONCURRENCY',
    schema: positiveInt.max(256, 'must be at most 256'),
    default: '4',
    doc: 'Reconcile jobs (mesh compiles) one worker process runs at once. Compiles of different meshes overlap their database and Redis I/O; the translation itself is CPU-bound, so more than a few per process mostly adds latency. Scale with worker replicas. A mesh has at most one pending and one running job at any time.',
  }),
  endpointsDebounceMs: key({
    env: 'ENDPOINTS_DEBOUNCE_MS',
    schema: nonNegativeInt.max(60_000, 'must be at most 60000'),
    default: '100',
    doc: "A change of the endpoints of a mesh's virtual nodes (a registry instance registered, deregistered or whose health changed; a proxy connected from a new address; the last one at an address left or expired) to a mesh whose last ClusterLoadAssignment update started at least this long ago is applied at once; a change sooner after one waits until this long after that update started, covering every change meanwhile: at most one update per mesh per this long, and no change waits longer. So an isolated change waits for nothing, and a deployment's burst of registrations or connecting proxies becomes a few updates. 0 applies every change as soon as a worker is free.",
  }),
  endpointsRemovalGraceMs: key({
    env: 'ENDPOINTS_REMOVAL_GRACE_MS',
    schema: nonNegativeInt.max(600_000, 'must be at most 600000'),
    default: '5000',
    doc: "How long the endpoint of a proxy whose stream closed stays in its clients' EDS. Proxies reconnect routinely (connections are recycled after XDS_MAX_CONNECTION_AGE_MS; Envoy retries after up to 0.5 s): without a grace their endpoints would flap out and back in, failing requests to a single instance meanwhile. A proxy that reconnects within the grace keeps its endpoint; one that does not is removed when the grace ends. 0 removes at once.",
  }),
  endpointsSweepIntervalMs: key({
    env: 'ENDPOINTS_SWEEP_INTERVAL_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(3_600_000, 'must be at most 3600000'),
    default: '15000',
    doc: "How often a worker removes the endpoints of proxies whose xds shard stopped heartbeating (SIGKILLed, lost host) and updates the meshes they were in. An endpoint of a dead shard's proxy is removed 45 s (the session TTL) to 45 s + this interval after the shard's last heartbeat. Each sweep reads one small Redis key per mesh that has connected proxies.",
  }),
  meteringEnabled: key({
    env: 'METERING_ENABLED',
    schema: z.stringbool({ error: 'must be true or false' }),
    default: 'true',
    doc: 'Whether the api role counts API requests and the xds role records proxy sessions for billing (src/billing/metering, docs/billing.md). On by default: usage that was never recorded cannot be billed later. `false` is for installations that do not bill, and for measuring what metering costs (bench/billing); the worker still rolls up whatever was recorded.',
  }),
  meteringFlushIntervalMs: key({
    env: 'METERING_FLUSH_INTERVAL_MS',
    schema: positiveInt.min(100, 'must be at least 100').max(60_000, 'must be at most 60000'),
    default: '1000',
    doc: 'How often an xds shard writes the sessions that started and ended since its last write, in one PostgreSQL transaction (one multi-row insert, one multi-row update). A shard that is SIGKILLed loses at most this much of its starts and ends; 1 s keeps that small while a connect storm of 10,000 proxies costs a handful of statements.',
  }),
  meteringHeartbeatMs: key({
    env: 'METERING_HEARTBEAT_MS',
    schema: positiveInt.min(100, 'must be at least 100').max(30_000, 'must be at most 30000 (the session TTL is 45 s)'),
    default: '15000',
    doc: "How often an xds shard run writes its heartbeat (one row per shard, whatever its sessions). When a shard dies, its open sessions end at its last heartbeat, so this bounds the proxy time it can leave unbilled; 15 s matches the session registry's heartbeat. Must stay well below the 45 s session TTL, after which the rollup takes a silent run for dead.",
  }),
  meteringApiFlushMs: key({
    env: 'METERING_API_FLUSH_MS',
    schema: positiveInt.min(100, 'must be at least 100').max(60_000, 'must be at most 60000'),
    default: '5000',
    doc: 'How often an api replica adds the API requests it counted in memory to Redis (one transaction per flush, whatever the request rate). A replica that is SIGKILLed loses at most this much of its counts; a clean shutdown flushes them.',
  }),
  meteringRollupIntervalMs: key({
    env: 'METERING_ROLLUP_INTERVAL_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(3_600_000, 'must be at most 3600000'),
    default: '300000',
    doc: 'How often a worker runs the metering rollup: it writes the buckets of every closed hour not rolled up yet and corrects rolled-up hours for late data. A run with nothing to roll up costs a few small queries; every 5 minutes bills an hour at most 5 minutes after METERING_ROLLUP_DELAY_MS.',
  }),
  meteringRollupDelayMs: key({
    env: 'METERING_ROLLUP_DELAY_MS',
    schema: positiveInt
      .min(60_000, 'must be at least 60000 (longer than the 45 s session TTL)')
      .max(3_600_000, 'must be at most 3600000'),
    default: '120000',
    doc: "How long after an hour ends it is rolled up. It must exceed the 45 s session TTL plus a flush: by then a dead shard's sessions are known to be dead (and end at its last heartbeat), and live shards and api replicas have written the hour's data. What still arrives later is corrected by adjustment rows.",
  }),
  meteringCorrectionWindowHours: key({
    env: 'METERING_CORRECTION_WINDOW_HOURS',
    schema: positiveInt.max(24 * 7, 'must be at most 168 (the API counts are kept 8 days)'),
    default: '72',
    doc: 'How many hours back, from the last hour rolled up, late data still corrects usage (adjustment rows). Late data comes from a shard or api replica cut off from PostgreSQL or Redis, which retries its writes: 3 days covers a weekend outage. Sessions closed before the window are deleted.',
  }),
  meteringSampleIntervalMs: key({
    env: 'METERING_SAMPLE_INTERVAL_MS',
    schema: positiveInt
      .min(1_000, 'must be at least 1000')
      .max(1_800_000, 'must be at most 1800000 (two samples per hour)'),
    default: '300000',
    doc: "How often a worker samples the resources every tenant holds (meshes and each kind inside them; two GROUP BY queries). Each hour keeps its largest sample as that hour's resource-hours; every 5 minutes sees a resource held for part of an hour.",
  }),
  ec2SyncConcurrency: key({
    env: 'EC2_SYNC_CONCURRENCY',
    schema: positiveInt.max(64, 'must be at most 64'),
    default: '2',
    doc: 'EC2 sync runs (one DescribeInstances walk of one sync source, then one transaction) one worker process runs at once. A run mostly waits on AWS; its apply is one transaction over one registry service. Scale with worker replicas; a source never has two runs applying at once (its row is locked while it applies).',
  }),
  ec2SyncPageSize: key({
    env: 'EC2_SYNC_PAGE_SIZE',
    schema: z.coerce
      .number({ error: 'must be an integer from 5 to 1000' })
      .int('must be an integer from 5 to 1000')
      .min(5, 'must be an integer from 5 to 1000')
      .max(1000, 'must be an integer from 5 to 1000'),
    default: '1000',
    doc: "DescribeInstances' MaxResults: results per page of an EC2 sync (5-1000, the API's bounds). 1000 makes the fewest calls, which is what DescribeInstances' request-rate limits count; a smaller page only helps a test see several pages.",
  }),
  ec2SyncRequestTimeoutMs: key({
    env: 'EC2_SYNC_REQUEST_TIMEOUT_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(600_000, 'must be at most 600000'),
    default: '30000',
    doc: "Longest one EC2 (or STS) request of a sync run may take before it fails (the SDK then retries it, up to 3 attempts, and a run whose attempts all time out marks its source STALE as unreachable). A page of 1,000 instances takes AWS a second or two; 30 s leaves room for a slow link without letting a hung connection hold a worker's slot for long. Raise it for a slow EC2-compatible endpoint or emulator.",
  }),
  ec2SyncAllowedEndpoints: key({
    env: 'EC2_SYNC_ALLOWED_ENDPOINTS',
    schema: z.string().refine(
      (v) =>
        v === '' ||
        v.split(',').every((o) => {
          try {
            const u = new URL(o.trim());
            return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.trim();
          } catch {
            return false;
          }
        }),
      {
        message:
          'must be a comma-separated list of http(s) origins, e.g. https://ec2.example.com,http://127.0.0.1:5000',
      },
    ),
    default: '',
    doc: "Origins a sync source's endpoint override may name (comma-separated `scheme://host[:port]`), for EC2-compatible clouds and emulators. Empty by default: sources then reach AWS's own regional endpoints only. An override makes the worker send signed requests to that address and report what answers in the source's status, so letting tenants name any address would let them probe the worker's network; the operator lists the ones that are meant.",
  }),
  ec2SyncThrottleBackoffMaxMs: key({
    env: 'EC2_SYNC_THROTTLE_BACKOFF_MAX_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(86_400_000, 'must be at most 86400000'),
    default: '900000',
    doc: "Longest a sync source that AWS throttles (RequestLimitExceeded after the SDK's own retries) waits before its next run. The wait starts at the source's interval and doubles with each throttled run in a row; the instances it wrote stay as they were meanwhile. Request-rate limits are per AWS account and shared with the customer's other tools, so backing off far is the polite answer; 15 minutes bounds how stale a throttled inventory gets.",
  }),
  ec2SyncRescheduleIntervalMs: key({
    env: 'EC2_SYNC_RESCHEDULE_INTERVAL_MS',
    schema: positiveInt.min(1_000, 'must be at least 1000').max(3_600_000, 'must be at most 3600000'),
    default: '60000',
    doc: 'How often a worker checks that every EC2 sync source has its BullMQ job scheduler (one per source, created by the API) and that no scheduler is left for a deleted source. It repairs what a lost Redis or a failed write after commit left behind, so it bounds how long a source can go without running; each check is one query and one Redis read per source.',
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
    requiredBy: ['api', 'worker'],
    secret: true,
    doc: "Key that encrypts access-key secrets and the AWS secret keys of EC2 sync sources at rest (AES-256-GCM). SigV4 needs the plain secret to recompute signatures, and the worker needs a sync source's secret to sign its DescribeInstances calls, so secrets cannot be hashed; the api and worker roles need the same key. Losing this key makes every access key and every sync source's key unusable. `npm start` generates one into .data/local.env (with a warning) when unset.",
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
  graphqlExplorer: key({
    env: 'GRAPHQL_EXPLORER',
    schema: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true'),
    default: 'false',
    doc: "Serve GraphiQL, the GraphQL explorer, at /graphiql on the api role (docs/api/graphql.md). For development: `npm start` turns it on unless set. Off by default because it is a page for people, not clients: it needs no token to load (queries it sends still do) and loads GraphiQL's scripts from a public CDN (unpkg.com) into the browser, which production pages should not. Introspection is on either way, so other explorers work against /graphql with a token.",
  }),
  shutdownTimeoutMs: key({
    env: 'SHUTDOWN_TIMEOUT_MS',
    schema: positiveInt.max(300_000, 'must be at most 300000'),
    default: '10000',
    doc: 'On SIGTERM a process stops accepting work, drains and closes its pools; after this long it exits anyway. Kubernetes gives 30 s before SIGKILL, so 10 s leaves room for the load balancer to notice.',
  }),
  registryNamespacesPerTenant: key({
    env: 'REGISTRY_NAMESPACES_PER_TENANT',
    schema: positiveInt.max(100_000, 'must be at most 100000'),
    default: '50',
    doc: "Service-registry namespaces one tenant may hold (/v1/registry, docs/registry.md); one more is refused with LimitExceededException. 50 is AWS Cloud Map's default namespaces-per-Region quota, so an inventory that fit Cloud Map fits here.",
  }),
  registryServicesPerTenant: key({
    env: 'REGISTRY_SERVICES_PER_TENANT',
    schema: positiveInt.max(1_000_000, 'must be at most 1000000'),
    default: '1000',
    doc: "Service-registry services one tenant may hold across its namespaces. A service is a small row, but each one selected by a virtual node is an EDS cluster in its clients; 1,000 covers a large estate (App Mesh allowed 200 virtual nodes per mesh, 15 meshes) with room, and bounds what one tenant can make the registry's queries scan.",
  }),
  registryInstancesPerService: key({
    env: 'REGISTRY_INSTANCES_PER_SERVICE',
    schema: positiveInt.max(100_000, 'must be at most 100000'),
    default: '1000',
    doc: "Instances one registry service may hold (API registrations and EC2-synced ones together). 1,000 is AWS Cloud Map's default instances-per-service quota; every instance becomes an endpoint in the ClusterLoadAssignment of each virtual node that selects the service, so this also bounds the size of one EDS resource.",
  }),
  reconcileFailureBackoffMs: key({
    env: 'RECONCILE_FAILURE_BACKOFF_MS',
    schema: positiveInt.max(600_000, 'must be at most 600000'),
    default: '1000',
    doc: 'First wait before a mesh whose compile failed (the translator or the build threw, or PostgreSQL/Redis did) is compiled again at the same generation; it doubles with each failure of that generation, up to RECONCILE_FAILURE_BACKOFF_MAX_MS. A new change to the mesh compiles at once whatever the backoff, and the sweep leaves a backing-off mesh alone. 1 s rides out a brief outage without hammering a deterministic failure (docs/adr/0006-translation-errors.md).',
  }),
  reconcileFailureBackoffMaxMs: key({
    env: 'RECONCILE_FAILURE_BACKOFF_MAX_MS',
    schema: positiveInt.max(3_600_000, 'must be at most 3600000'),
    default: '300000',
    doc: 'Longest wait between compiles of a mesh that keeps failing at the same generation. It bounds how long a fixed fault (a worker deployed with the fix) takes to reach such a mesh without a change: one compile per mesh per 5 minutes costs nothing, and keeps the logs and the failure metric readable.',
  }),
  billingPlanCacheTtlMs: key({
    env: 'BILLING_PLAN_CACHE_TTL_MS',
    schema: positiveInt.max(3_600_000, 'must be at most 3600000'),
    default: '30000',
    doc: "How long a process trusts its cached copy of the plan catalogue and of a tenant's plan history, which every API request (rate limit, quotas) and every xDS stream consults. Operator changes are announced over Redis and forgotten at once; the TTL only bounds a notice lost to a Redis outage. 30 s keeps the hot paths free of SQL (one query per tenant per 30 s at most) while such a gap heals within the half minute operators expect.",
  }),
  billingPlanCacheTenants: key({
    env: 'BILLING_PLAN_CACHE_TENANTS',
    schema: positiveInt.max(10_000_000, 'must be at most 10000000'),
    default: '100000',
    doc: 'Most tenants whose plan history a process keeps cached (oldest evicted first). A history is a few rows; 100,000 tenants is tens of megabytes at most and covers every active tenant of a large installation.',
  }),
  billingCloseGraceHours: key({
    env: 'BILLING_CLOSE_GRACE_HOURS',
    schema: nonNegativeInt.max(24 * 31, 'must be at most 744'),
    default: '6',
    doc: 'Hours after a month ends before the scheduled job closes its invoices (final, immutable). The hourly rollup writes the last hour of the month within minutes; 6 hours leaves room for a rollup that was down or retried. Usage that still arrives later is billed on the next invoice as a late-usage line, never by changing a final invoice.',
  }),
  billingCloseIntervalMs: key({
    env: 'BILLING_CLOSE_INTERVAL_MS',
    schema: positiveInt.min(60_000, 'must be at least 60000').max(86_400_000, 'must be at most 86400000'),
    default: '3600000',
    doc: 'How often a worker looks for months past their grace whose invoices are not closed yet. Hourly: closing is not urgent, and each run is one query per tenant with an open month.',
  }),
  billingLateUsageMonths: key({
    env: 'BILLING_LATE_USAGE_MONTHS',
    schema: positiveInt.max(24, 'must be at most 24'),
    default: '3',
    doc: 'How many closed months an invoice looks back for usage recorded after they closed (late adjustments), billed as late-usage lines. Metering corrects within hours, so 3 months is generous; older corrections are left to operator credits, which keeps a draft invoice to a few months of usage to read.',
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
