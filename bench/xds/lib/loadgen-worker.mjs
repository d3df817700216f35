// @ts-check
// One load-generator process: a share of the simulated proxies, each a real gRPC ADS stream on
// its own HTTP/2 connection (@grpc/grpc-js, local subchannel pool), subscribing as Envoy does and
// ACKing every response. Driven by its parent (loadgen.mjs) over IPC; reports, per proxy, when it
// became ready (every subscribed type ACKed) and when it ACKed a route configuration carrying a
// new marker (a route prefix `/m/<route>/<seq>` the benchmark wrote), so the parent can measure
// commit → ACK per proxy without decoding route configurations.
import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  TYPE,
  clusterInfo,
  deltaRequest,
  listenerInfo,
  readDeltaResponse,
  readSotwResponse,
  sotwRequest,
} from './wire.mjs';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const PATHS = {
  sotw: `${SERVICE}/StreamAggregatedResources`,
  delta: `${SERVICE}/DeltaAggregatedResources`,
};
/** Envoy's ADS retry backoff (grpc_stream.h): jittered exponential from 500 ms, at most 30 s. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;
const MARK = Buffer.from('/m/');
/** The connect_timeout of the xDS cluster in the bootstraps the API generates. */
const CONNECT_TIMEOUT_MS = 5_000;
/** The HTTP/2 keepalive of the xDS cluster in those bootstraps. */
const KEEPALIVE_INTERVAL_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 10_000;

/** @typedef {{ index: number, token: string, nodeId: string, cluster: string }} ClientSpec */
/** @typedef {{ version: string, nonce: string, names: string[], acked: boolean, requested: boolean }} TypeState */

/** @type {(msg: object) => void} */
const send = (msg) => {
  process.send?.(msg);
};

/** What EDS names a CDS version implies, and what RDS names an LDS version implies (SotW: by collection version). */
/** @type {Map<string, string[]>} */
const sotwNames = new Map();
/** Per resource version (content hash) in Delta: the EDS name of a cluster, the RDS names of a listener. */
/** @type {Map<string, string[]>} */
const deltaNames = new Map();

const stats = {
  responses: 0,
  acks: 0,
  bytes: 0,
  /** @type {Record<string, number>} */
  errors: {},
  streamsStarted: 0,
};
/** @type {[number, number, number, number][]} [client, route, seq, ackTime] */
let markerEvents = [];
/** @type {[number, number][]} [client, readyTime] */
let readyEvents = [];

/** @param {ReadonlyArray<string>} a @param {ReadonlyArray<string>} b */
const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

class SimulatedProxy {
  /** @param {ClientSpec} spec @param {string} address @param {'sotw' | 'delta'} protocol */
  constructor(spec, address, protocol) {
    this.spec = spec;
    this.address = address;
    this.protocol = protocol;
    this.node = { id: spec.nodeId, cluster: spec.cluster };
    /** @type {grpc.Client | undefined} */
    this.client = undefined;
    /** @type {import('node:http2').ClientHttp2Session | undefined} */
    this.session = undefined;
    /** @type {Stream | undefined} */
    this.call = undefined;
    this.ready = false;
    this.stopped = false;
    this.attempt = 0;
    /** @type {NodeJS.Timeout | undefined} */
    this.retryTimer = undefined;
    /** Highest marker seq seen per route in an ACKed route configuration. */
    /** @type {Map<number, number>} */
    this.markers = new Map();
    /** Per type URL, on the current stream. @type {Record<string, TypeState>} */
    this.types = {};
    this.first = true;
    this.resetStreamState();
    // Delta: what the proxy holds, kept across reconnects (initial_resource_versions), per type.
    /** @type {Record<string, Map<string, string>>} */
    this.held = {
      [TYPE.cluster]: new Map(),
      [TYPE.endpoints]: new Map(),
      [TYPE.listener]: new Map(),
      [TYPE.routes]: new Map(),
    };
  }

  /** The stream's state for a type this proxy uses. @param {string} typeUrl @returns {TypeState} */
  st(typeUrl) {
    return /** @type {TypeState} */ (this.types[typeUrl]);
  }

  /** What the proxy holds of a type (Delta). @param {string} typeUrl @returns {Map<string, string>} */
  heldOf(typeUrl) {
    return /** @type {Map<string, string>} */ (this.held[typeUrl]);
  }

  resetStreamState() {
    this.types = {};
    for (const t of Object.values(TYPE))
      this.types[t] = { version: '', nonce: '', names: [], acked: false, requested: false };
    this.first = true;
  }

  connect() {
    if (this.stopped) return;
    this.resetStreamState();
    // A Delta proxy that reconnects could present initial_resource_versions (and then be sent
    // nothing when nothing changed); these proxies start over, as a restarted Envoy does, so
    // that "connected and ACKed" is observable on every reconnect.
    for (const held of Object.values(this.held)) held.clear();
    stats.streamsStarted++;
    /** @type {Stream} */
    const stream = (transport === 'http2' ? openHttp2 : openGrpcJs)(this, {
      data: (buf) => {
        if (this.call !== stream) return;
        this.attempt = 0;
        stats.responses++;
        stats.bytes += buf.length;
        try {
          if (this.protocol === 'sotw') this.onSotw(buf);
          else this.onDelta(buf);
        } catch (err) {
          stats.errors['decode'] = (stats.errors['decode'] ?? 0) + 1;
          if ((stats.errors['decode'] ?? 0) < 3) process.stderr.write(`loadgen: ${String(err)}\n`);
        }
      },
      end: (status) => {
        if (this.call !== stream) return;
        this.call = undefined;
        this.ready = false;
        stats.errors[status] = (stats.errors[status] ?? 0) + 1;
        this.scheduleRetry();
      },
    });
    this.call = stream;
    if (this.protocol === 'sotw') {
      this.write(sotwRequest({ node: this.node, typeUrl: TYPE.cluster }));
    } else {
      this.write(deltaRequest({ node: this.node, typeUrl: TYPE.cluster, initial: this.heldOf(TYPE.cluster) }));
    }
    this.st(TYPE.cluster).requested = true;
  }

  scheduleRetry() {
    if (this.stopped) return;
    const ceiling = Math.min(RETRY_BASE_MS * 2 ** this.attempt, RETRY_MAX_MS);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), Math.random() * ceiling);
  }

  /** @param {Buffer} bytes */
  write(bytes) {
    this.call?.write(bytes);
  }

  /**
   * Closes the connection itself (not only the stream) and reconnects as Envoy does when its ADS
   * stream breaks: after its first retry backoff, a random delay below 500 ms.
   */
  drop() {
    clearTimeout(this.retryTimer);
    const call = this.call;
    this.call = undefined;
    this.ready = false;
    call?.cancel();
    closeConnection(this);
    this.attempt = 0;
    this.scheduleRetry();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    closeConnection(this);
  }

  checkReady() {
    if (this.ready) return;
    const done = (/** @type {string} */ url) => !this.st(url).requested || this.st(url).acked;
    if (!this.st(TYPE.cluster).acked || !this.st(TYPE.listener).acked) return;
    if (!done(TYPE.endpoints) || !done(TYPE.routes)) return;
    this.ready = true;
    readyEvents.push([this.spec.index, Date.now()]);
  }

  /** Finds every `/m/<route>/<seq>` in the bytes (no string conversion: this runs for every route response). */
  /** @param {Buffer} buf */
  scanMarkers(buf) {
    const now = Date.now();
    let i = buf.indexOf(MARK);
    while (i !== -1) {
      let j = i + MARK.length;
      let route = 0;
      let seq = 0;
      const start = j;
      while (j < buf.length && (buf[j] ?? 0) >= 48 && (buf[j] ?? 0) <= 57) route = route * 10 + (buf[j++] ?? 0) - 48;
      if (j > start && buf[j] === 47) {
        const seqStart = ++j;
        while (j < buf.length && (buf[j] ?? 0) >= 48 && (buf[j] ?? 0) <= 57) seq = seq * 10 + (buf[j++] ?? 0) - 48;
        if (j > seqStart && seq > (this.markers.get(route) ?? -1)) {
          this.markers.set(route, seq);
          markerEvents.push([this.spec.index, route, seq, now]);
        }
      }
      i = buf.indexOf(MARK, j);
    }
  }

  // --- state of the world ---------------------------------------------------------------------

  /** @param {Buffer} buf */
  onSotw(buf) {
    const r = readSotwResponse(buf);
    const state = this.types[r.typeUrl];
    if (!state) return;
    state.version = r.version;
    state.nonce = r.nonce;
    // The ACK names the same resources as the subscription.
    this.write(sotwRequest({ typeUrl: r.typeUrl, version: r.version, nonce: r.nonce, names: state.names }));
    stats.acks++;
    state.acked = true;
    if (r.typeUrl === TYPE.cluster) {
      const names = this.namesOfSotw(r, buf, (range) => {
        const eds = clusterInfo(buf, range).eds;
        return eds ? [eds] : [];
      });
      this.subscribeSotw(TYPE.endpoints, names);
      if (!this.st(TYPE.listener).requested && names.length === 0) this.startListeners();
    } else if (r.typeUrl === TYPE.endpoints) {
      if (!this.st(TYPE.listener).requested) this.startListeners();
    } else if (r.typeUrl === TYPE.listener) {
      const names = this.namesOfSotw(r, buf, (range) => listenerInfo(buf, range).rds);
      this.subscribeSotw(TYPE.routes, names);
    } else if (r.typeUrl === TYPE.routes) {
      this.scanMarkers(buf);
    }
    this.checkReady();
  }

  startListeners() {
    const s = this.st(TYPE.listener);
    s.requested = true;
    this.write(sotwRequest({ typeUrl: TYPE.listener, version: s.version }));
  }

  /**
   * @param {{ version: string, typeUrl: string, resources: [number, number][] }} r @param {Buffer} buf
   * @param {(range: [number, number]) => string[]} names
   */
  namesOfSotw(r, buf, names) {
    const key = `${r.typeUrl}|${r.version}`;
    let out = sotwNames.get(key);
    if (!out) {
      out = [...new Set(r.resources.flatMap(names))].sort();
      sotwNames.set(key, out);
    }
    return out;
  }

  /** @param {string} typeUrl @param {string[]} names */
  subscribeSotw(typeUrl, names) {
    const s = this.st(typeUrl);
    if (s.requested && sameList(s.names, names)) return;
    if (!s.requested && names.length === 0) return;
    s.names = names;
    s.requested = true;
    s.acked = false;
    this.write(sotwRequest({ typeUrl, version: s.version, nonce: s.nonce, names }));
  }

  // --- Delta ----------------------------------------------------------------------------------

  /** @param {Buffer} buf */
  onDelta(buf) {
    const r = readDeltaResponse(buf);
    const state = this.types[r.typeUrl];
    const held = this.held[r.typeUrl];
    if (!state || !held) return;
    /** @type {[string, string[]][]} */
    const learnt = [];
    for (const res of r.resources) {
      held.set(res.name, res.version);
      if (r.typeUrl === TYPE.cluster || r.typeUrl === TYPE.listener) {
        let names = deltaNames.get(res.version);
        if (!names) {
          if (r.typeUrl === TYPE.cluster) {
            const eds = clusterInfo(buf, res.value).eds;
            names = eds ? [eds] : [];
          } else names = listenerInfo(buf, res.value).rds;
          deltaNames.set(res.version, names);
        }
        learnt.push([res.name, names]);
      }
    }
    for (const name of r.removed) held.delete(name);
    this.write(deltaRequest({ typeUrl: r.typeUrl, nonce: r.nonce }));
    stats.acks++;
    state.acked = true;
    if (r.typeUrl === TYPE.cluster || r.typeUrl === TYPE.listener) {
      // What the held clusters (listeners) need in EDS (RDS): recomputed from every held resource.
      const needs = new Set();
      for (const version of held.values()) for (const n of deltaNames.get(version) ?? []) needs.add(n);
      const child = r.typeUrl === TYPE.cluster ? TYPE.endpoints : TYPE.routes;
      this.subscribeDelta(child, [...needs].sort());
      if (r.typeUrl === TYPE.cluster && !this.st(TYPE.listener).requested && needs.size === 0)
        this.startDeltaListeners();
    } else if (r.typeUrl === TYPE.endpoints) {
      if (!this.st(TYPE.listener).requested) this.startDeltaListeners();
    } else if (r.typeUrl === TYPE.routes) {
      this.scanMarkers(buf);
    }
    this.checkReady();
  }

  startDeltaListeners() {
    const s = this.st(TYPE.listener);
    s.requested = true;
    this.write(deltaRequest({ typeUrl: TYPE.listener, initial: this.heldOf(TYPE.listener) }));
  }

  /** @param {string} typeUrl @param {string[]} names */
  subscribeDelta(typeUrl, names) {
    const s = this.st(typeUrl);
    if (!s.requested && names.length === 0) return;
    const before = new Set(s.names);
    const after = new Set(names);
    const subscribe = names.filter((n) => !before.has(n));
    const unsubscribe = s.names.filter((n) => !after.has(n));
    if (s.requested && subscribe.length === 0 && unsubscribe.length === 0) return;
    const first = !s.requested;
    s.names = names;
    s.requested = true;
    if (subscribe.length > 0) s.acked = false;
    const held = this.held[typeUrl];
    if (held) for (const n of unsubscribe) held.delete(n);
    this.write(
      deltaRequest({
        typeUrl,
        subscribe,
        unsubscribe,
        ...(first && held ? { initial: new Map([...held].filter(([n]) => after.has(n))) } : {}),
      }),
    );
  }
}

// --- transports: one connection per proxy ------------------------------------------------------

/** @typedef {{ write(bytes: Buffer): void, cancel(): void }} Stream */
/** @typedef {{ data(buf: Buffer): void, end(status: string): void }} StreamEvents */

/** @type {'grpc-js' | 'http2'} */
let transport = 'grpc-js';

/**
 * A stream on @grpc/grpc-js: a Client of its own per proxy (local subchannel pool, so its own
 * HTTP/2 connection), pass-through serialisation.
 * @param {SimulatedProxy} p @param {StreamEvents} on @returns {Stream}
 */
function openGrpcJs(p, on) {
  if (!p.client) {
    p.client = new grpc.Client(p.address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.max_receive_message_length': -1,
      'grpc.enable_retries': 0,
      // The bootstraps' connect timeout and HTTP/2 keepalive.
      'grpc.keepalive_time_ms': KEEPALIVE_INTERVAL_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
      // Reconnection pacing is the stream's (Envoy's backoff), not the channel's.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${p.spec.token}`);
  const call = p.client.makeBidiStreamRequest(
    PATHS[p.protocol],
    (/** @type {Buffer} */ b) => b,
    (/** @type {Buffer} */ b) => b,
    metadata,
  );
  call.on('data', (/** @type {Buffer} */ buf) => on.data(buf));
  call.on('error', () => undefined);
  call.on('status', (/** @type {grpc.StatusObject} */ s) => on.end(grpc.status[s.code] ?? String(s.code)));
  return { write: (b) => call.write(b), cancel: () => call.cancel() };
}

const GRPC_STATUS = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [String(v), k]));

/**
 * The same gRPC stream written directly on node:http2 (what grpc-js does underneath, without its
 * channel, call and filter machinery): POST with content-type application/grpc, TE: trailers,
 * length-prefixed messages, grpc-status in the trailers. One HTTP/2 session per proxy.
 * @param {SimulatedProxy} p @param {StreamEvents} on @returns {Stream}
 */
function openHttp2(p, on) {
  let session = p.session;
  if (!session || session.closed || session.destroyed) {
    session = http2.connect(`http://${p.address}`);
    session.on('error', () => undefined);
    const s = session;
    // Envoy's connect_timeout for the xDS cluster (5 s in the generated bootstraps): a connection
    // attempt whose SYN went unanswered is abandoned and the stream retried with backoff, instead
    // of waiting for the kernel's SYN retransmissions.
    const timer = setTimeout(() => {
      if (s.connecting) s.destroy(new Error('connect timeout'));
    }, CONNECT_TIMEOUT_MS);
    s.once('connect', () => clearTimeout(timer));
    // The HTTP/2 keepalive of the bootstraps (connection_keepalive: interval 30 s, timeout 10 s):
    // a connection that stopped answering (e.g. one whose handshake the server's full accept
    // queue dropped, though the client saw it complete) is closed and the stream retried.
    const keepalive = setInterval(() => {
      // A destroyed session emits 'close' (which clears this interval) only on a later tick;
      // pinging it meanwhile throws.
      if (s.destroyed || s.closed) return;
      const deadline = setTimeout(() => s.destroy(new Error('keepalive timeout')), KEEPALIVE_TIMEOUT_MS);
      if (!s.ping(() => clearTimeout(deadline))) clearTimeout(deadline);
    }, KEEPALIVE_INTERVAL_MS);
    session.on('close', () => {
      clearTimeout(timer);
      clearInterval(keepalive);
      if (p.session === s) p.session = undefined;
    });
    p.session = session;
  }
  let ended = false;
  const finish = (/** @type {string} */ status) => {
    if (ended) return;
    ended = true;
    on.end(status);
  };
  /** @type {import('node:http2').ClientHttp2Stream} */
  let req;
  try {
    req = session.request({
      ':method': 'POST',
      ':path': PATHS[p.protocol],
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: `Bearer ${p.spec.token}`,
    });
  } catch {
    setImmediate(() => finish('UNAVAILABLE'));
    return { write: () => undefined, cancel: () => undefined };
  }
  /** @type {Buffer | undefined} */
  let pending;
  req.on('data', (/** @type {Buffer} */ chunk) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      on.data(buf.subarray(5, 5 + len));
      buf = buf.subarray(5 + len);
    }
    if (buf.length > 0) pending = buf;
  });
  const statusOf = (/** @type {import('node:http2').IncomingHttpHeaders} */ h) => {
    const code = h['grpc-status'];
    return code === undefined ? undefined : (GRPC_STATUS[String(code)] ?? String(code));
  };
  req.on('response', (h) => {
    const s = statusOf(h); // trailers-only response: the stream failed at once
    if (s !== undefined) finish(s);
  });
  req.on('trailers', (h) => finish(statusOf(h) ?? 'UNKNOWN'));
  req.on('error', () => finish('UNAVAILABLE'));
  req.on('close', () => finish('UNAVAILABLE'));
  return {
    write: (bytes) => {
      if (ended || req.destroyed) return;
      const frame = Buffer.allocUnsafe(5 + bytes.length);
      frame[0] = 0;
      frame.writeUInt32BE(bytes.length, 1);
      bytes.copy(frame, 5);
      req.write(frame);
    },
    cancel: () => {
      ended = true;
      req.close(http2.constants.NGHTTP2_CANCEL);
    },
  };
}

/** @param {SimulatedProxy} p */
function closeConnection(p) {
  p.client?.close();
  p.client = undefined;
  p.session?.destroy();
  p.session = undefined;
}

/** @type {SimulatedProxy[]} */
let proxies = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();

const flush = () => {
  if (markerEvents.length === 0 && readyEvents.length === 0) return;
  send({ ev: 'events', markers: markerEvents, ready: readyEvents });
  markerEvents = [];
  readyEvents = [];
};
setInterval(flush, 100).unref();

process.on('message', (/** @type {any} */ msg) => {
  switch (msg.cmd) {
    case 'start': {
      const address = `127.0.0.1:${msg.port}`;
      transport = msg.transport ?? 'grpc-js';
      const specs = /** @type {ClientSpec[]} */ (msg.clients);
      proxies = specs.map((s) => new SimulatedProxy(s, address, msg.protocol));
      // Spread the first connections over time (`ratePerS`), as a fleet that starts gradually.
      const rate = msg.ratePerS ?? 0;
      proxies.forEach((p, i) => {
        if (rate <= 0) p.connect();
        else setTimeout(() => p.connect(), (i / rate) * 1000);
      });
      send({ ev: 'ok', id: msg.id });
      break;
    }
    case 'drop': {
      const started = Date.now();
      for (const p of proxies) p.drop();
      send({ ev: 'ok', id: msg.id, started, closed: Date.now() });
      break;
    }
    case 'stats': {
      flush();
      const cpu = process.cpuUsage(cpuMark);
      const now = performance.now();
      send({
        ev: 'ok',
        id: msg.id,
        stats: {
          proxies: proxies.length,
          ready: proxies.filter((p) => p.ready).length,
          connected: proxies.filter((p) => p.call !== undefined).length,
          cpuS: (cpu.user + cpu.system) / 1e6,
          wallS: (now - wallMark) / 1000,
          loopDelayP99Ms: loop.percentile(99) / 1e6,
          loopDelayMaxMs: loop.max / 1e6,
          rssMb: process.memoryUsage().rss / 1e6,
          ...stats,
          errors: { ...stats.errors },
        },
      });
      if (msg.reset) {
        cpuMark = process.cpuUsage();
        wallMark = now;
        loop.reset();
      }
      break;
    }
    case 'stop': {
      for (const p of proxies) p.stop();
      send({ ev: 'ok', id: msg.id });
      setTimeout(() => process.exit(0), 200);
      break;
    }
  }
});
process.on('disconnect', () => process.exit(0));
send({ ev: 'up' });
