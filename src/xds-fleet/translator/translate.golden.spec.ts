import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validateEnvoyConfig } from '../../../test/support/envoy.js';
import { buildSnapshot, type MeshInput, TEST_ACCOUNT, TEST_REGION } from '../../../test/support/snapshot-builder.js';
import { TYPE_URLS } from '../cache/compiled-mesh.js';
import { encodeMessage } from '../encoding/protos.js';
import { encodeResourceAny } from '../encoding/wire.js';
import { validateSnapshot } from '../snapshot/mesh-snapshot.js';
import { consistent } from './consistency.js';
import { RESOURCE_KINDS, type ResourceSet } from './envoy-types.js';
import { PROXYLESS_VIEW_PREFIX } from './proxyless.js';
import { staticBootstrap } from './static-config.js';
import { translate } from './translate.js';

/**
 * Golden cases: testdata/in/<case>.yaml (a mesh) → testdata/out/<case>.<kind>.yaml (per proxy
 * identity, its resources of that kind). `UPDATE_GOLDEN=1 npm test -- translate.golden` rewrites
 * the outputs and deletes those whose case is gone. Every resource also goes through the
 * production encoder (the one the compiler publishes with), and every proxy's output, encoded by
 * it, is loaded into a real Envoy as a binary bootstrap (`envoy --mode validate`): a field the
 * encoder's proto set lacks, or a configuration Envoy rejects, fails the case. The YAML goldens
 * are for people to read; what Envoy is shown is bytes, as in production.
 */
const DIR = fileURLToPath(new URL('./testdata/', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const cases = readdirSync(join(DIR, 'in'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => basename(f, '.yaml'))
  .sort();

function render(views: ReadonlyMap<string, ResourceSet>, kind: (typeof RESOURCE_KINDS)[number]): string {
  const byView: Record<string, unknown[]> = {};
  for (const [view, set] of [...views].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const resources = [...set[kind].entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
    if (resources.length > 0) byView[view] = resources;
  }
  return stringify(byView, { sortMapEntries: false, lineWidth: 0, aliasDuplicateObjects: false });
}

if (UPDATE) {
  mkdirSync(join(DIR, 'out'), { recursive: true });
  for (const file of readdirSync(join(DIR, 'out'))) {
    if (!cases.includes(file.split('.')[0]!)) unlinkSync(join(DIR, 'out', file));
  }
}

describe('translator golden cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  describe.each(cases)('%s', (name) => {
    // `problems`: what the translator must report for a case of refused input (resource: the ARN's resource part).
    const input = parse(readFileSync(join(DIR, 'in', `${name}.yaml`), 'utf8')) as MeshInput & {
      problems?: { resource: string; message: string }[];
    };
    const snapshot = buildSnapshot(input);
    const result = translate(snapshot);

    it('is a consistent snapshot and translates with the problems the case expects (none unless listed)', () => {
      expect(validateSnapshot(snapshot)).toEqual([]);
      const arnPrefix = `arn:aws:appmesh:${TEST_REGION}:${TEST_ACCOUNT}:`;
      const problems = result.problems.map((p) => ({ resource: p.arn.replace(arnPrefix, ''), message: p.message }));
      expect(problems).toEqual(input.problems ?? []);
    });

    it('is internally consistent (every name used exists, nothing unused)', () => {
      expect(consistent(result.views)).toEqual([]);
    });

    it.each(RESOURCE_KINDS)('matches the golden %s', (kind) => {
      const file = join(DIR, 'out', `${name}.${kind}.yaml`);
      const actual = render(result.views, kind);
      if (UPDATE) {
        writeFileSync(file, actual);
        return;
      }
      expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npm test -- translate.golden`).toBe(true);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });

    it('encodes every resource of every view through the production encoder', () => {
      let encoded = 0;
      for (const [view, set] of result.views) {
        for (const kind of RESOURCE_KINDS) {
          for (const [name, resource] of set[kind]) {
            expect(() => encodeResourceAny(TYPE_URLS[kind], resource), `${view} ${kind} ${name}`).not.toThrow();
            encoded++;
          }
        }
      }
      expect(encoded).toBeGreaterThan(0);
    });

    it('is accepted by a real Envoy for every proxy (the proxyless view: by a gRPC client, elsewhere)', async () => {
      // The proxyless view is for gRPC clients, not Envoy: API listeners cannot be static listeners
      // of an Envoy. A real gRPC xDS client checks those resources instead
      // (test/integration/proxyless-resources.test.ts).
      if (snapshot.virtualServices.length > 0)
        expect([...result.views.keys()].some((v) => v.startsWith(PROXYLESS_VIEW_PREFIX))).toBe(true);
      const proxies = [...result.views].filter(([view]) => !view.startsWith(PROXYLESS_VIEW_PREFIX));
      const verdicts = await Promise.all(
        proxies.map(async ([view, set]) => ({
          view,
          ...(await validateEnvoyConfig(
            encodeMessage(
              'envoy.config.bootstrap.v3.Bootstrap',
              staticBootstrap(set, { adminPort: 19901, nodeId: view }),
            ),
          )),
        })),
      );
      for (const verdict of verdicts) expect(verdict.ok, `${name} ${verdict.view}:\n${verdict.output}`).toBe(true);
    });
  });
});
