import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppMeshModel, type OperationName } from './app-mesh-model.js';
import { compileValidators } from './compile-validator.js';
import { FORM_SPEC_SHAPES, renderFormSchema, shapeSpecsOf, type FormKindId, type FormSchema } from './form-schema.js';

const model = AppMeshModel.load();
const schema = renderFormSchema(model);
/** What the console compiles: the API's validator over the schema's shapes (no refinements). */
const browser = compileValidators(shapeSpecsOf(schema));

const CREATE: Record<Exclude<FormKindId, 'mesh'>, { op: OperationName; path: Record<string, string> }> = {
  virtualNode: { op: 'CreateVirtualNode', path: { meshName: 'm' } },
  virtualService: { op: 'CreateVirtualService', path: { meshName: 'm' } },
  virtualRouter: { op: 'CreateVirtualRouter', path: { meshName: 'm' } },
  route: { op: 'CreateRoute', path: { meshName: 'm', virtualRouterName: 'r' } },
  virtualGateway: { op: 'CreateVirtualGateway', path: { meshName: 'm' } },
  gatewayRoute: { op: 'CreateGatewayRoute', path: { meshName: 'm', virtualGatewayName: 'g' } },
};
const NAME: Record<Exclude<FormKindId, 'mesh'>, string> = {
  virtualNode: 'virtualNodeName',
  virtualService: 'virtualServiceName',
  virtualRouter: 'virtualRouterName',
  route: 'routeName',
  virtualGateway: 'virtualGatewayName',
  gatewayRoute: 'gatewayRouteName',
};

/** The API's problems with a spec, as REST's validator words them ([] when it accepts it). */
function apiProblems(kind: Exclude<FormKindId, 'mesh'>, spec: unknown): string[] {
  const { op, path } = CREATE[kind];
  try {
    model.validateInput(op, { path, query: {}, body: { [NAME[kind]]: 'x', spec } });
    return [];
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return err.message.split('; ');
  }
}

function browserProblems(kind: FormKindId, spec: unknown): string[] {
  const problems: string[] = [];
  browser.validator(schema.specs[kind])(spec, 'spec', problems);
  return problems;
}

describe("the console's form schema (ADR 0027)", () => {
  it('is the committed file the console bundles', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../console/src/forms/generated/form-schema.json', import.meta.url), 'utf8'),
    ) as FormSchema;
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  it('reaches every shape of the seven specs, with meshplane’s bounds and the documentation as hints', () => {
    expect(schema.specs).toEqual(FORM_SPEC_SHAPES);
    expect(Object.keys(schema.shapes).length).toBeGreaterThan(150);
    expect(schema.shapes['PortNumber']).toEqual({ type: 'integer', min: 1, max: 65535 });
    // restrictShapes: a virtual service's name has meshplane's 1..255.
    expect(schema.shapes['ServiceName']).toMatchObject({ min: 1, max: 255 });
    const listener = schema.shapes['Listener'];
    expect(listener?.type === 'structure' && listener.members.find((m) => m.name === 'portMapping')).toEqual({
      name: 'portMapping',
      shape: 'PortMapping',
      required: true,
      hint: 'The port mapping information for the listener.',
    });
    expect(schema.shapes['ServiceDiscovery']).toMatchObject({ type: 'structure', union: true });
  });

  it('gives the browser the same problems, in the same words, as the API for the model’s rules', () => {
    const cases: [Exclude<FormKindId, 'mesh'>, unknown][] = [
      ['virtualNode', { listeners: [{ portMapping: { port: 70000, protocol: 'http' } }] }],
      ['virtualNode', { listeners: [{ portMapping: { port: 8080, protocol: 'ftp' }, healthCheck: {} }] }],
      [
        'virtualNode',
        {
          listeners: [
            {
              portMapping: { port: 8080, protocol: 'http' },
              healthCheck: {
                protocol: 'http',
                healthyThreshold: 1,
                unhealthyThreshold: 11,
                intervalMillis: 10,
                timeoutMillis: 2000,
              },
            },
          ],
          serviceDiscovery: { dns: { hostname: 'a.local' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
          backends: [{ virtualService: { virtualServiceName: '', clientPolicy: { tls: { validation: {} } } } }],
          nonsense: true,
        },
      ],
      ['virtualService', { provider: { virtualRouter: {} } }],
      ['route', { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [] } }, priority: 1001 }],
      ['virtualGateway', { listeners: [{ portMapping: { port: 8443 } }, {}] }],
      ['gatewayRoute', { httpRoute: { match: { prefix: 'x'.repeat(300) }, action: { target: {} } } }],
    ];
    for (const [kind, spec] of cases) {
      const api = apiProblems(kind, spec);
      expect(api.length, `${kind} ${JSON.stringify(spec)}`).toBeGreaterThan(0);
      expect(browserProblems(kind, spec), `${kind} ${JSON.stringify(spec)}`).toEqual(api);
    }
  });

  it('accepts what the API accepts', () => {
    const spec = {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          healthCheck: {
            protocol: 'http',
            healthyThreshold: 2,
            unhealthyThreshold: 2,
            intervalMillis: 5000,
            timeoutMillis: 2000,
          },
        },
      ],
      serviceDiscovery: { dns: { hostname: 'a.local' } },
    };
    expect(apiProblems('virtualNode', spec)).toEqual([]);
    expect(browserProblems('virtualNode', spec)).toEqual([]);
    expect(browserProblems('mesh', { egressFilter: { type: 'ALLOW_ALL' } })).toEqual([]);
  });
});
