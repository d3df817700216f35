// @ts-check
// The little of the xDS wire format a simulated proxy needs, by hand: encoding its requests and
// reading, from a response, the fields that drive the protocol (version, nonce, type URL), the
// resources' names and versions (Delta), and, from clusters and listeners, the names an Envoy
// subscribes to next (EDS service names, RDS route configuration names). No protobufjs: a load
// generator of thousands of proxies must spend its CPU on the streams, not on decoding.

export const TYPE = {
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routes: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
};

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const EDS_TYPE = 3; // envoy.config.cluster.v3.Cluster.DiscoveryType.EDS

// --- writing ----------------------------------------------------------------------------------

class Writer {
  /** @type {Buffer[]} */
  parts = [];
  /** @param {number} v */
  varint(v) {
    const bytes = [];
    while (v > 127) {
      bytes.push((v & 127) | 128);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  /** @param {number} field @param {Buffer} bytes */
  bytes(field, bytes) {
    this.varint((field << 3) | 2).varint(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  /** @param {number} field @param {string} s */
  string(field, s) {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  finish() {
    return Buffer.concat(this.parts);
  }
}

/** @param {{ id: string, cluster: string }} node */
function encodeNode(node) {
  return new Writer().string(1, node.id).string(2, node.cluster).string(6, 'meshplane-bench').string(7, '1.0').finish();
}

/**
 * envoy.service.discovery.v3.DiscoveryRequest {version_info=1, node=2, resource_names=3,
 * type_url=4, response_nonce=5}.
 * @param {{ node?: { id: string, cluster: string }, typeUrl: string, version?: string, names?: readonly string[], nonce?: string }} r
 */
export function sotwRequest(r) {
  const w = new Writer();
  if (r.version) w.string(1, r.version);
  if (r.node) w.bytes(2, encodeNode(r.node));
  for (const n of r.names ?? []) w.string(3, n);
  w.string(4, r.typeUrl);
  if (r.nonce) w.string(5, r.nonce);
  return w.finish();
}

/**
 * envoy.service.discovery.v3.DeltaDiscoveryRequest {node=1, type_url=2, subscribe=3,
 * unsubscribe=4, initial_resource_versions=5, response_nonce=6}.
 * @param {{ node?: { id: string, cluster: string }, typeUrl: string, subscribe?: readonly string[], unsubscribe?: readonly string[], initial?: ReadonlyMap<string, string>, nonce?: string }} r
 */
export function deltaRequest(r) {
  const w = new Writer();
  if (r.node) w.bytes(1, encodeNode(r.node));
  w.string(2, r.typeUrl);
  for (const n of r.subscribe ?? []) w.string(3, n);
  for (const n of r.unsubscribe ?? []) w.string(4, n);
  for (const [k, v] of r.initial ?? []) w.bytes(5, new Writer().string(1, k).string(2, v).finish());
  if (r.nonce) w.string(6, r.nonce);
  return w.finish();
}

// --- reading ----------------------------------------------------------------------------------

/**
 * Calls `each(field, wireType, start, end)` for every field of the message in buf[from, to):
 * for length-delimited fields start/end delimit the payload; for varints `start` is the value.
 * @param {Buffer} buf @param {number} from @param {number} to
 * @param {(field: number, wire: number, start: number, end: number) => void} each
 */
function walk(buf, from, to, each) {
  let p = from;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[p++];
      if (b === undefined) throw new Error('truncated varint');
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
  };
  while (p < to) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) each(field, 0, varint(), 0);
    else if (wire === 2) {
      const len = varint();
      each(field, 2, p, p + len);
      p += len;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

/**
 * The top of a DiscoveryResponse: version_info=1, resources=2 (Any), type_url=4, nonce=5.
 * @param {Buffer} buf
 */
export function readSotwResponse(buf) {
  let version = '';
  let typeUrl = '';
  let nonce = '';
  /** @type {[number, number][]} the `value` of each Any */
  const resources = [];
  walk(buf, 0, buf.length, (f, w, s, e) => {
    if (w !== 2) return;
    if (f === 1) version = buf.toString('utf8', s, e);
    else if (f === 4) typeUrl = buf.toString('utf8', s, e);
    else if (f === 5) nonce = buf.toString('utf8', s, e);
    else if (f === 2) resources.push(anyValue(buf, s, e));
  });
  return { version, typeUrl, nonce, resources };
}

/**
 * A DeltaDiscoveryResponse: resources=2 (Resource {version=1, resource=2 Any, name=3}),
 * type_url=4, nonce=5, removed_resources=6.
 * @param {Buffer} buf
 */
export function readDeltaResponse(buf) {
  let typeUrl = '';
  let nonce = '';
  /** @type {{ name: string, version: string, value: [number, number] }[]} */
  const resources = [];
  /** @type {string[]} */
  const removed = [];
  walk(buf, 0, buf.length, (f, w, s, e) => {
    if (w !== 2) return;
    if (f === 4) typeUrl = buf.toString('utf8', s, e);
    else if (f === 5) nonce = buf.toString('utf8', s, e);
    else if (f === 6) removed.push(buf.toString('utf8', s, e));
    else if (f === 2) {
      let name = '';
      let version = '';
      /** @type {[number, number]} */
      let value = [s, s];
      walk(buf, s, e, (f2, w2, s2, e2) => {
        if (w2 !== 2) return;
        if (f2 === 1) version = buf.toString('utf8', s2, e2);
        else if (f2 === 3) name = buf.toString('utf8', s2, e2);
        else if (f2 === 2) value = anyValue(buf, s2, e2);
      });
      resources.push({ name, version, value });
    }
  });
  return { typeUrl, nonce, resources, removed };
}

/** @param {Buffer} buf @param {number} s @param {number} e @returns {[number, number]} */
function anyValue(buf, s, e) {
  /** @type {[number, number]} */
  let value = [s, s];
  walk(buf, s, e, (f, w, s2, e2) => {
    if (f === 2 && w === 2) value = [s2, e2];
  });
  return value;
}

/**
 * A Cluster's name and, when it is an EDS cluster, the name Envoy subscribes to in EDS
 * (eds_cluster_config.service_name, else the cluster's name).
 * @param {Buffer} buf @param {[number, number]} range
 */
export function clusterInfo(buf, [s, e]) {
  let name = '';
  let type = 0;
  let service = '';
  walk(buf, s, e, (f, w, s2, e2) => {
    if (f === 1 && w === 2) name = buf.toString('utf8', s2, e2);
    else if (f === 2 && w === 0) type = s2;
    else if (f === 3 && w === 2)
      walk(buf, s2, e2, (f3, w3, s3, e3) => {
        if (f3 === 2 && w3 === 2) service = buf.toString('utf8', s3, e3);
      });
  });
  return { name, eds: type === EDS_TYPE ? service || name : undefined };
}

/**
 * A Listener's name and the route configurations its HTTP connection managers load over RDS
 * (filter_chains=3 and default_filter_chain=25 → filters=3 → typed_config=4 → rds=3 →
 * route_config_name=2).
 * @param {Buffer} buf @param {[number, number]} range
 */
export function listenerInfo(buf, [s, e]) {
  let name = '';
  /** @type {string[]} */
  const rds = [];
  /** @param {number} cs @param {number} ce */
  const chain = (cs, ce) =>
    walk(buf, cs, ce, (f, w, fs, fe) => {
      if (f !== 3 || w !== 2) return;
      walk(buf, fs, fe, (f2, w2, ts, te) => {
        if (f2 !== 4 || w2 !== 2) return;
        let url = '';
        /** @type {[number, number]} */
        let value = [ts, ts];
        walk(buf, ts, te, (f3, w3, s3, e3) => {
          if (w3 !== 2) return;
          if (f3 === 1) url = buf.toString('utf8', s3, e3);
          else if (f3 === 2) value = [s3, e3];
        });
        if (url !== HCM) return;
        walk(buf, value[0], value[1], (f4, w4, s4, e4) => {
          if (f4 !== 3 || w4 !== 2) return;
          walk(buf, s4, e4, (f5, w5, s5, e5) => {
            if (f5 === 2 && w5 === 2) rds.push(buf.toString('utf8', s5, e5));
          });
        });
      });
    });
  walk(buf, s, e, (f, w, s2, e2) => {
    if (f === 1 && w === 2) name = buf.toString('utf8', s2, e2);
    else if ((f === 3 || f === 25) && w === 2) chain(s2, e2);
  });
  return { name, rds };
}
