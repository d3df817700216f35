// @ts-check
// Writes what this project's compiler published for one mesh, as the go-control-plane peer
// (go-control-plane/main.go) loads it: per Envoy view (`virtualNode/<name>`, default proxy
// ports), per type URL, the collection's version (the one our shards offer in state of the world)
// and each resource's name and encoded message (the `value` of the stored `Any`). Read from the
// compiled store in Redis (src/xds-fleet/cache/compiled-store.ts) with the key layout and
// version function of the build in dist/, so both servers offer the same versions of the same bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import protobuf from 'protobufjs/minimal.js';

/**
 * @param {{ root: string, redis: import('ioredis').Redis, namespace: string, path: string }} o
 * @returns {Promise<{ version: string, views: number, resources: number, bytes: number }>}
 */
export async function exportViews({ root, redis, namespace, path }) {
  const dist = (/** @type {string} */ p) => import(pathToFileURL(join(root, 'dist', p)).href);
  const { compiledKeys, metaKeyPattern, meshOfMetaKey } = await dist('xds-fleet/cache/compiled-store.js');
  const { collectionVersion, DEFAULT_PORTS_KEY, TYPE_URLS } = await dist('xds-fleet/cache/compiled-mesh.js');
  const metas = await redis.keys(metaKeyPattern(namespace));
  if (metas.length !== 1) throw new Error(`expected one compiled mesh in Redis, found ${metas.length}`);
  const mesh = meshOfMetaKey(namespace, /** @type {string} */ (metas[0]));
  const keys = compiledKeys(namespace);
  // The manifest is stored in parts (ADR 0026): the head names every view, the views hash holds them.
  const manifest = JSON.parse((await redis.get(keys.head(mesh))) ?? 'null');
  if (!manifest) throw new Error('the compiled mesh has no manifest');
  const viewKeys = Object.keys(manifest.views).filter((k) => k.startsWith(`${DEFAULT_PORTS_KEY}/`));
  const viewJsons = viewKeys.length ? await redis.hmget(keys.views(mesh), ...viewKeys) : [];
  /** @type {Record<string, unknown>} */
  const views = Object.fromEntries(
    viewKeys.map((k, i) => [k.slice(DEFAULT_PORTS_KEY.length + 1), JSON.parse(viewJsons[i] ?? 'null')]),
  );
  const hashes = new Set();
  for (const [name, view] of Object.entries(views))
    if (name.startsWith('virtualNode/'))
      for (const kind of Object.keys(TYPE_URLS))
        for (const h of Object.values(/** @type {any} */ (view)[kind])) hashes.add(h);
  const list = [...hashes];
  const anys = list.length ? await redis.hmgetBuffer(keys.resources(mesh), ...list) : [];
  /** @type {Map<string, string>} */
  const values = new Map();
  let bytes = 0;
  list.forEach((h, i) => {
    const any = anys[i];
    if (!any) throw new Error(`resource ${h} is missing from the compiled store`);
    const value = anyValue(any);
    bytes += value.length;
    values.set(h, value.toString('base64'));
  });
  /** @type {Record<string, Record<string, { version: string, resources: { name: string, value: string }[] }>>} */
  const out = {};
  let resources = 0;
  for (const [name, view] of Object.entries(views)) {
    if (!name.startsWith('virtualNode/')) continue;
    out[name] = {};
    for (const [kind, typeUrl] of Object.entries(TYPE_URLS)) {
      /** @type {Record<string, string>} */
      const entries = /** @type {any} */ (view)[kind];
      out[name][typeUrl] = {
        version: collectionVersion(entries),
        resources: Object.entries(entries).map(([n, h]) => ({ name: n, value: /** @type {string} */ (values.get(h)) })),
      };
      resources += Object.keys(entries).length;
    }
  }
  writeFileSync(path, JSON.stringify({ version: manifest.version, views: out }));
  return { version: manifest.version, views: Object.keys(out).length, resources, bytes };
}

/** The `value` (field 2) of an encoded google.protobuf.Any. */
function anyValue(/** @type {Buffer} */ any) {
  const reader = protobuf.Reader.create(any);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 2 && (tag & 7) === 2) return Buffer.from(reader.bytes());
    reader.skipType(tag & 7);
  }
  throw new Error('an Any without a value');
}
