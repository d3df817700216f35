// The import rules of docs/architecture.md ("Modules and dependency direction") over the real
// import graph of the project: no cycles (src/, tests, scripts, benchmarks), and in src/ layers
// pointing one way and a translator free of Nest, Prisma and I/O. The same check runs in
// `npm run check` (scripts/lib/import-graph.mjs). The synthetic graphs below prove each rule
// fires, so a passing run means "no violation", not "no check".
import type { Dependency, DependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, layerViolations } from '../../scripts/lib/import-graph.mjs';

const root = new URL('../..', import.meta.url).pathname;

// dpdm's DependencyKind enum is not exported from its entry point; the rules never read it.
const STATIC_IMPORT = 'StaticImport' as Dependency['kind'];

/** A graph from `file: [request → resolved id]` lists; an id outside src/ stands for a package. */
function graph(files: Record<string, [request: string, id: string | null][]>): DependencyTree {
  const tree: Record<string, Dependency[]> = {};
  for (const [issuer, deps] of Object.entries(files)) {
    tree[issuer] = deps.map(([request, id]) => ({ issuer, request, id, kind: STATIC_IMPORT }));
  }
  return tree;
}

describe('the import graph of the project', () => {
  it('has no cycles and breaks no layer rule', async () => {
    const tree = await importGraph(root);
    // The graph really is the project's: the translator's entry point and its imports are in it.
    expect(tree['src/xds-fleet/translator/translate.ts']?.length).toBeGreaterThan(5);
    expect(tree['test/architecture/import-graph.test.ts']?.map((dep) => dep.id)).toContain(
      'scripts/lib/import-graph.mjs',
    );
    expect(importCycles(tree)).toEqual([]);
    expect(layerViolations(tree)).toEqual([]);
  });
});

describe('the rules', () => {
  it('find a cycle, type-only imports included, but not one inside generated code', () => {
    const tree = graph({
      'src/xds-fleet/a.ts': [['./b.js', 'src/xds-fleet/b.ts']],
      'src/xds-fleet/b.ts': [['./a.js', 'src/xds-fleet/a.ts']],
      'src/generated/prisma/x.ts': [['./y.js', 'src/generated/prisma/y.ts']],
      'src/generated/prisma/y.ts': [['./x.js', 'src/generated/prisma/x.ts']],
    });
    expect(importCycles(tree)).toEqual([['src/xds-fleet/a.ts', 'src/xds-fleet/b.ts']]);
  });

  it('keep Nest, Prisma and the other layers out of src/common', () => {
    const problems = layerViolations(
      graph({
        'src/common/a.ts': [
          ['@nestjs/common', 'node_modules/@nestjs/common/index.js'],
          ['@prisma/client', 'node_modules/@prisma/client/index.js'],
          ['../platform/p.js', 'src/platform/p.ts'],
          ['./b.js', 'src/common/b.ts'],
          ['zod', 'node_modules/zod/index.js'],
        ],
      }),
    );
    expect(problems).toEqual([
      'src/common imports no Nest and no Prisma: src/common/a.ts imports @nestjs/common',
      'src/common imports no Nest and no Prisma: src/common/a.ts imports @prisma/client',
      'src/common imports nothing else from src/ (it is the kernel every layer builds on): src/common/a.ts imports ../platform/p.js',
    ]);
  });

  it('keep platform below the domain modules, and transports imported only by Nest modules', () => {
    const problems = layerViolations(
      graph({
        'src/platform/p.ts': [['../meshes/m.js', 'src/meshes/m.ts']],
        'src/meshes/m.service.ts': [['./rest/x.controller.js', 'src/meshes/rest/x.controller.ts']],
        'src/meshes/meshes.module.ts': [['./rest/x.controller.js', 'src/meshes/rest/x.controller.ts']],
      }),
    );
    expect(problems).toEqual([
      'src/platform imports no domain module (tenants, meshes, xds-fleet): src/platform/p.ts imports ../meshes/m.js',
      'only Nest modules and entry files import a transport (controller, resolver): src/meshes/m.service.ts imports ./rest/x.controller.js',
    ]);
  });

  it('keep the translator, and everything it reaches, free of Nest, Prisma and I/O', () => {
    const problems = layerViolations(
      graph({
        'src/xds-fleet/translator/t.ts': [
          ['node:crypto', 'node:crypto'],
          ['../snapshot/s.js', 'src/xds-fleet/snapshot/s.ts'],
        ],
        'src/xds-fleet/snapshot/s.ts': [
          ['node:fs', 'node:fs'],
          ['../../generated/prisma/client.js', 'src/generated/prisma/client.ts'],
        ],
        'src/xds-fleet/translator/t.spec.ts': [['ioredis', 'node_modules/ioredis/index.js']],
      }),
    );
    const rule = 'the translator (and all it imports) uses no Nest, no Prisma, no platform adapter and no I/O';
    expect(problems).toEqual([
      `${rule}: src/xds-fleet/snapshot/s.ts imports node:fs`,
      `${rule}: src/xds-fleet/snapshot/s.ts imports ../../generated/prisma/client.js`,
    ]);
  });
});
