import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import {
  compileView,
  contentHash,
  DEFAULT_PORTS_KEY,
  manifestVersion,
  manifestViews,
  TYPE_URLS,
  versionOfViewHashes,
  versionOfViews,
  viewHash,
  viewKey,
} from '../cache/compiled-mesh.js';
import { encodeResourceAny } from '../encoding/wire.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { translate } from '../translator/translate.js';
import { buildAssignment, endpointSources, sourcesOf } from './endpoint-sources.js';
import { mergeEndpoints } from './node-endpoints.js';

const DIR = fileURLToPath(new URL('../translator/testdata/in/', import.meta.url));
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => basename(f, '.yaml'))
  .sort();

/** Every node of the mesh with two endpoints in two zones (and the golden case's own endpoints kept). */
function withEndpoints(snapshot: MeshSnapshot): MeshSnapshot {
  const endpoints = Object.fromEntries(
    snapshot.virtualNodes.map((n, i) => [
      n.name,
      snapshot.endpoints[n.name] ?? [
        { address: `10.0.${i}.1`, port: 0, zone: 'a' },
        { address: `10.0.${i}.2`, port: 0 },
      ],
    ]),
  );
  return { ...snapshot, endpoints };
}

/**
 * Every node with registry-like endpoints (ADR 0021): instance ports, health statuses, zones,
 * IPv6, and a proxy's endpoint beside them, merged as NodeEndpoints merges them.
 */
function withRegistryEndpoints(snapshot: MeshSnapshot): MeshSnapshot {
  const endpoints = Object.fromEntries(
    snapshot.virtualNodes.map((n, i) => [
      n.name,
      mergeEndpoints(
        [
          { address: `10.1.${i}.1`, port: 8080, zone: 'eu-west-1a', health: 'HEALTHY' as const },
          { address: `10.1.${i}.2`, port: 0, zone: 'eu-west-1b', health: 'UNHEALTHY' as const },
          { address: `fd00::${i + 1}`, port: 9090, health: 'UNKNOWN' as const },
        ],
        [{ address: `10.1.${i}.3`, port: 0, zone: 'eu-west-1a' }],
      ),
    ]),
  );
  return { ...snapshot, endpoints };
}

describe('endpoint sources', () => {
  describe.each(cases)('%s', (name) => {
    const input = parse(readFileSync(join(DIR, `${name}.yaml`), 'utf8')) as MeshInput;

    it.each([
      ['as written', (s: MeshSnapshot) => s],
      ['with endpoints on every node', withEndpoints],
      ['with registry endpoints on every node', withRegistryEndpoints],
    ])('covers every ClusterLoadAssignment and rebuilds each exactly (%s)', (_label, variant) => {
      const snapshot = variant(buildSnapshot(input));
      const { views } = translate(snapshot);
      const assignments = new Map([...views.values()].flatMap((v) => [...v.endpoints]));
      const sources = sourcesOf(snapshot, assignments.keys());
      expect(Object.keys(sources.assignments).sort()).toEqual([...assignments.keys()].sort());
      for (const [claName, assignment] of assignments) {
        const source = sources.assignments[claName]!;
        const rebuilt = buildAssignment(claName, source, sources.region, snapshot.endpoints[source.node] ?? []);
        expect(rebuilt, claName).toEqual(assignment);
        const bytes = (r: object) => contentHash(encodeResourceAny(TYPE_URLS.endpoints, r));
        expect(bytes(rebuilt)).toBe(bytes(assignment));
      }
    });
  });

  it('reads the names from compiled view manifests, and the version formula matches the compiled views', () => {
    const snapshot = withEndpoints(
      buildSnapshot(parse(readFileSync(join(DIR, 'cloud-map-eds-logging.yaml'), 'utf8')) as MeshInput),
    );
    const { views } = translate(snapshot);
    const encode = (kind: keyof typeof TYPE_URLS, r: object) => {
      const any = encodeResourceAny(TYPE_URLS[kind], r);
      return { hash: contentHash(any), any };
    };
    const built = manifestViews(
      views,
      (set) => compileView(set, encode),
      () => undefined,
    );
    const variants = { [DEFAULT_PORTS_KEY]: built.views };
    const sources = endpointSources(snapshot, variants);
    expect(Object.keys(sources.assignments).length).toBeGreaterThan(0);
    // The compiler's version, from the view hashes it keeps (mesh-compiler.ts).
    const compilerVersion = versionOfViews(built.hashes.map((h) => `${DEFAULT_PORTS_KEY}/${h}`));
    expect(manifestVersion(variants)).toBe(compilerVersion);
    // The endpoints fast path's, from the view hashes its head keeps (endpoint-updater.ts).
    const byKey = Object.fromEntries(
      Object.entries(built.views).map(([name, view]) => [viewKey(DEFAULT_PORTS_KEY, name), viewHash(view)]),
    );
    expect(versionOfViewHashes(byKey)).toBe(compilerVersion);
  });
});
