import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../test/support/snapshot-builder.js';
import { contentHash, type CompiledManifest, type CompiledView, type EncodedResource } from '../cache/compiled-mesh.js';
import { SUMMARY_FIELD } from '../cache/translation-record.js';
import { encodeResourceAny } from '../encoding/wire.js';
import {
  arnMetadata,
  emptyResourceSet,
  TYPE,
  type EnvoyResource,
  type ResourceSet,
} from '../translator/envoy-types.js';
import { encoderMessage, unattributedReason } from './compile-failure.js';
import { failureRejection, failureTranslationRecord } from './translation-verdict.js';
import { arnsBehind, encodeProblems, narrowToChanged, ViewEncoding } from './view-encoding.js';

const MESH = 'arn:aws:appmesh:us-east-1:111122223333:mesh/shop';
const MAIN = `${MESH}/virtualRouter/api/route/main`;
const POISON = `${MESH}/virtualRouter/api/route/poison`;

/** A route configuration holding one route per ARN (each route carries its ARN in metadata). */
function routeConfig(name: string, arns: readonly string[]) {
  return {
    name,
    virtual_hosts: [
      {
        name: 'api',
        domains: ['*'],
        routes: arns.map((arn, i) => ({
          name: `r${i}`,
          match: { prefix: `/${arn.slice(arn.lastIndexOf('/') + 1)}` },
          route: { cluster: 'c' },
          metadata: arnMetadata(arn),
        })),
      },
    ],
  };
}

function view(routes: Record<string, EnvoyResource>): ResourceSet {
  const set = emptyResourceSet();
  for (const [name, resource] of Object.entries(routes)) set.routes.set(name, resource);
  return set;
}

/** The real encoder (route configurations only here), except that it refuses anything mentioning `/poison`. */
function encoder(_kind: string, resource: object): EncodedResource {
  if (JSON.stringify(resource).includes('/poison')) throw new Error('RouteConfiguration has no field x\n    at frame');
  const any = encodeResourceAny(TYPE.routeConfiguration, resource);
  return { hash: contentHash(any), any };
}

function build(encoding: ViewEncoding, views: Record<string, ResourceSet>) {
  const out = new Map<string, CompiledView>();
  const clean: Record<string, boolean> = {};
  for (const [name, set] of Object.entries(views)) {
    const built = encoding.build(set);
    out.set(name, built.view);
    clean[name] = built.clean;
  }
  return { built: new Map([['15000-15001', out]]), clean };
}

describe('view encoding (a resource the encoder refuses)', () => {
  const good = routeConfig('rds_8080', [MAIN]);
  const lastGood = encoder('routes', good);
  const published = {
    version: 'v1',
    variants: {
      '15000-15001': {
        'virtualNode/web': {
          listeners: {},
          routes: { rds_8080: lastGood.hash },
          clusters: {},
          endpoints: {},
          secrets: {},
        },
      },
    },
    arns: { [lastGood.hash]: MAIN },
  } as unknown as CompiledManifest;

  it('keeps the last good version where one was served, leaves it out elsewhere, and publishes the rest', () => {
    const encoding = new ViewEncoding(encoder);
    const fine = routeConfig('rds_9090', [MAIN]);
    const { built, clean } = build(encoding, {
      'virtualNode/web': view({ rds_8080: routeConfig('rds_8080', [MAIN, POISON]), rds_9090: fine }),
      'virtualNode/new': view({ rds_8080: routeConfig('rds_8080', [MAIN, POISON]) }),
    });
    expect(clean).toEqual({ 'virtualNode/web': false, 'virtualNode/new': false });
    expect(encoding.failed).toBe(true);

    const out = encoding.assemble(built, published, MESH);
    expect(out.variants['15000-15001']!['virtualNode/web']!.routes).toEqual({
      rds_8080: lastGood.hash,
      rds_9090: encoder('routes', fine).hash,
    });
    expect(out.variants['15000-15001']!['virtualNode/new']!.routes).toEqual({});
    expect([...out.kept]).toEqual([lastGood.hash]);
    expect(out.arns[lastGood.hash]).toBe(MAIN);
    expect([...out.all.keys()]).toEqual([encoder('routes', fine).hash]); // never a placeholder
    expect(out.failures.map((f) => [f.view, f.name, f.kept])).toEqual([
      ['virtualNode/web', 'rds_8080', true],
      ['virtualNode/new', 'rds_8080', false],
    ]);
    expect(out.failures[0]!.message).toBe('RouteConfiguration has no field x'); // first line only
  });

  it('hashes a view kept at its last good version as the published one', () => {
    const clean = new ViewEncoding(encoder);
    const a = clean.assemble(build(clean, { 'virtualNode/web': view({ rds_8080: good }) }).built, undefined, MESH);
    const faulty = new ViewEncoding(encoder);
    const b = faulty.assemble(
      build(faulty, { 'virtualNode/web': view({ rds_8080: routeConfig('rds_8080', [POISON]) }) }).built,
      published,
      MESH,
    );
    // Kept at the last good version: the view is exactly what was published.
    expect(b.viewHashes).toEqual(a.viewHashes);
    expect(clean.failed).toBe(false);
  });

  it('attributes a failure to the ARNs in the resource, else its proxy, else the mesh; narrowed to what changed', () => {
    expect(arnsBehind(routeConfig('r', [MAIN, POISON]), 'virtualNode/web', MESH)).toEqual([MAIN, POISON]);
    expect(arnsBehind({ name: 'x' }, 'virtualGateway/gw', MESH)).toEqual([`${MESH}/virtualGateway/gw`]);
    expect(arnsBehind({ name: 'x' }, 'shared', MESH)).toEqual([MESH]);
    // Another mesh's ARN (a prefix of this one's name) is never taken.
    expect(arnsBehind(routeConfig('r', [`${MESH}2/virtualNode/x`]), 'shared', MESH)).toEqual([MESH]);

    const failure = { variant: 'v', view: 'w', kind: 'routes' as const, name: 'r', message: 'm', kept: true };
    const previous = { [MAIN]: JSON.stringify({ v: 1 }), [SUMMARY_FIELD]: '{}' };
    const versions = new Map<string, number | undefined>([
      [MAIN, 1],
      [POISON, 1],
    ]);
    expect(narrowToChanged([{ ...failure, arns: [MAIN, POISON] }], previous, versions)[0]!.arns).toEqual([POISON]);
    // Nothing changed: nothing narrows it.
    expect(narrowToChanged([{ ...failure, arns: [MAIN] }], previous, versions)[0]!.arns).toEqual([MAIN]);
  });

  it('reports one problem per ARN and message, naming the Envoy resources and what the proxies got', () => {
    const base = { variant: 'v', kind: 'routes' as const, message: 'no field x', arns: [POISON] };
    const problems = encodeProblems([
      { ...base, view: 'a', name: 'rds_1', kept: true },
      { ...base, view: 'b', name: 'rds_1', kept: true },
      { ...base, view: 'b', name: 'rds_2', kept: false },
    ]);
    expect(problems).toEqual([
      {
        arn: POISON,
        message:
          'cannot be encoded for Envoy (no field x; in routes rds_1, routes rds_2): it is left out where it has none',
      },
    ]);
  });
});

describe('failures nobody can attribute', () => {
  it('are shown without the exception: a phase and a log reference only', () => {
    const reason = unattributedReason('translator', '7', 'abc123');
    expect(reason).toBe(
      'internal error: generation 7 could not be compiled (the translator failed; operators: worker log reference abc123); the proxies keep the last good configuration, and it is retried with backoff',
    );
    const rejection = failureRejection(reason, MESH, []);
    expect(rejection.verdict).toBe('failed');
    expect(rejection.problems).toEqual([{ arn: MESH, message: reason, regression: true }]);
  });

  it('keep an encoder message to one bounded printable line', () => {
    expect(encoderMessage(new Error('bad field\n    at secret (/x.js:1)'))).toBe('bad field');
    expect(encoderMessage(new Error('a\u0000b\u001b[31mc'))).toBe('ab[31mc');
    expect(encoderMessage(new Error('x'.repeat(500)))).toHaveLength(201);
    expect(encoderMessage('')).toBe('unknown error');
  });

  it('mark new and changed resources REJECTED, and keep what is served as it was recorded', () => {
    const snapshot = buildSnapshot(
      {
        mesh: { name: 'shop' },
        virtualNodes: [
          { name: 'old', spec: {} },
          { name: 'new', spec: {} },
        ],
      },
      '9',
    );
    const oldArn = snapshot.virtualNodes[0]!.arn;
    const newArn = snapshot.virtualNodes[1]!.arn;
    const previous = { [oldArn]: JSON.stringify({ v: snapshot.virtualNodes[0]!.version }) };
    const record = failureTranslationRecord(snapshot, previous, 'why');
    expect(record[oldArn]).toBe(previous[oldArn]);
    expect(JSON.parse(record[newArn]!)).toMatchObject({ s: 'REJECTED', r: 'why' });
    expect(JSON.parse(record[snapshot.meshArn]!)).toMatchObject({ s: 'REJECTED', r: 'why' });
    expect(JSON.parse(record[SUMMARY_FIELD]!)).toEqual({ generation: '9', verdict: 'failed' });
  });
});
