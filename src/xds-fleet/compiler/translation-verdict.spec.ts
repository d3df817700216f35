import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../test/support/snapshot-builder.js';
import { SUMMARY_FIELD } from '../cache/translation-record.js';
import { translate } from '../translator/translate.js';
import {
  flagRegressions,
  inconsistencyRejection,
  problemArns,
  regressionRejection,
  servedRecord,
  translationRecord,
  type ServedState,
} from './translation-verdict.js';

const MESH = 'arn:aws:appmesh:us-east-1:111122223333:mesh/shop';
const ROUTE = `${MESH}/virtualRouter/api/route/main`;
const NODE = `${MESH}/virtualNode/api`;

/** A mesh whose route `main` targets node `api` on port `targetPort`; `api` listens on `listenerPort`. */
function shop(listenerPort: number, targetPort: number) {
  return buildSnapshot(
    {
      mesh: { name: 'shop' },
      virtualNodes: [
        {
          name: 'api',
          spec: {
            listeners: [{ portMapping: { port: listenerPort, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'api.local' } },
          },
        },
        { name: 'web', spec: { backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }] } },
      ],
      virtualRouters: [
        {
          name: 'api',
          spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
          routes: [
            {
              name: 'main',
              spec: {
                httpRoute: {
                  match: { prefix: '/' },
                  action: { weightedTargets: [{ virtualNode: 'api', weight: 1, port: targetPort }] },
                },
              },
            },
          ],
        },
      ],
      virtualServices: [
        { name: 'api.shop.local', spec: { provider: { virtualRouter: { virtualRouterName: 'api' } } } },
      ],
    },
    '7',
  );
}

const servedOf = (record: Record<string, string>) =>
  new Map<string, ServedState>(Object.entries(record).map(([arn, v]) => [arn, v === '' ? 'ok' : 'problem']));

describe('translation verdict (whether a compile may be published)', () => {
  const good = shop(8080, 8080);
  const broken = shop(9090, 8080);
  const goodProblems = translate(good).problems;
  const brokenProblems = translate(broken).problems;

  it('finds the problem of a route whose target port no longer matches a listener', () => {
    expect(goodProblems).toEqual([]);
    expect(brokenProblems).toEqual([{ arn: ROUTE, message: 'weighted target api port 8080 has no matching listener' }]);
    expect(problemArns([...brokenProblems, ...brokenProblems])).toEqual([ROUTE]);
  });

  it('rejects a problem on a resource that was served without one (a regression)', () => {
    const served = servedOf(servedRecord(good, goodProblems));
    expect(served.get(ROUTE)).toBe('ok');
    const flagged = flagRegressions(brokenProblems, served);
    expect(flagged).toEqual([{ arn: ROUTE, message: expect.any(String), regression: true }]);
    const rejection = regressionRejection(flagged)!;
    expect(rejection.verdict).toBe('rejected');
    expect(rejection.reason).toContain(ROUTE);
    expect(rejection.reason).toContain('no matching listener');
    expect([...rejection.rejected]).toEqual([[ROUTE, 'weighted target api port 8080 has no matching listener']]);
  });

  it('publishes problems on resources that never served: new ones, and ones that had a problem at the last publish', () => {
    // A first compile: nothing served yet.
    expect(regressionRejection(flagRegressions(brokenProblems, new Map()))).toBeUndefined();
    // Published with the problem already: the same problem again is not a regression.
    const served = servedOf(servedRecord(broken, brokenProblems));
    expect(served.get(ROUTE)).toBe('problem');
    expect(regressionRejection(flagRegressions(brokenProblems, served))).toBeUndefined();
  });

  it('records a translator defect as an internal error, attributed to the mesh and the proxy view it broke', () => {
    const rejection = inconsistencyRejection(
      ['virtualNode/web: listener lds_egress names route configuration rds_x, which is not in the view', 'x: y'],
      brokenProblems,
      MESH,
    );
    expect(rejection.verdict).toBe('inconsistent');
    expect(rejection.reason).toMatch(/^internal error: .*virtualNode\/web: listener .* \(and 1 more\)$/);
    expect(rejection.problems[0]).toEqual({ arn: MESH, message: rejection.reason, regression: true });
    expect(rejection.problems.slice(1)).toEqual([{ ...brokenProblems[0], regression: false }]);
    expect([...rejection.rejected.keys()]).toEqual([MESH, `${MESH}/virtualNode/web`]);
  });

  it('records every resource of the compile with its version and state, and the compile itself', () => {
    const record = translationRecord(broken, 'rejected', [], new Map([[ROUTE, 'why']]));
    expect(JSON.parse(record[ROUTE]!)).toEqual({ s: 'REJECTED', r: 'why' });
    expect(JSON.parse(record[NODE]!)).toEqual({});
    expect(JSON.parse(record[SUMMARY_FIELD]!)).toEqual({ generation: '7', verdict: 'rejected' });
    expect(Object.keys(record)).toHaveLength(7); // mesh, 2 nodes, router, route, service, summary

    const degraded = translationRecord(
      { ...broken, virtualNodes: [{ ...broken.virtualNodes[0]!, version: 3 }] },
      'published',
      brokenProblems,
    );
    expect(JSON.parse(degraded[ROUTE]!)).toEqual({
      s: 'DEGRADED',
      r: 'weighted target api port 8080 has no matching listener',
    });
    expect(JSON.parse(degraded[NODE]!)).toEqual({ v: 3 });
  });
});
