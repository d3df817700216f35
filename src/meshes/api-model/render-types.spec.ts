import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AppMeshModel } from './app-mesh-model.js';
import type { PortProtocol, ServiceDiscovery, VirtualNodeSpec, WeightedTarget } from './generated/app-mesh-types.js';
import { renderAppMeshTypes } from './render-types.js';

const GENERATED = new URL('./generated/app-mesh-types.ts', import.meta.url);
const model = AppMeshModel.load();
const source = renderAppMeshTypes(model);

/** The body of `export interface <name> { ... }` in the rendered source. */
function interfaceBody(name: string): string {
  const body = new RegExp(`^export interface ${name} \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(source)?.[1];
  if (body === undefined) throw new Error(`no interface ${name} in the rendered source`);
  return body;
}

/** The `readonly <member>...;` lines of an interface, comments left out. */
function memberLines(name: string): string[] {
  return interfaceBody(name)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('readonly '));
}

/** The JSDoc right above `export interface|type <name>`. */
function declarationDoc(name: string): string {
  return (
    new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\nexport (?:interface|type) ${name}\\b`).exec(source)?.[1] ?? ''
  );
}

describe('src/meshes/api-model/generated/app-mesh-types.ts', () => {
  it('is what the App Mesh model generates', () => {
    const committed = existsSync(GENERATED) ? readFileSync(GENERATED, 'utf8') : undefined;
    expect(committed, 'app-mesh-types.ts is out of date with the App Mesh model: run npm run gen:types').toBe(source);
  });

  it('is rendered already in the project Prettier format (so gen:types writes exactly this text)', async () => {
    const filepath = fileURLToPath(GENERATED);
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    expect(await prettier.format(source, { ...options, filepath })).toBe(source);
  });

  it('is deterministic', () => {
    expect(renderAppMeshTypes(model)).toBe(source);
  });
});

describe('renderAppMeshTypes', () => {
  it('starts with the do-not-edit header', () => {
    expect(source.split('\n', 1)[0]).toContain('by `npm run gen:types`: do not edit by hand.');
  });

  it('declares structures and string enums reachable from the operations, alphabetically, once each', () => {
    const names = [...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      'VirtualNodeSpec',
      'VirtualNodeData',
      'VirtualNodeRef',
      'MeshSpec',
      'RouteSpec',
      'GatewayRouteSpec',
      'VirtualGatewaySpec',
      'Listener',
      'ListenerTls',
      'HttpRouteMatch',
      'HttpRetryPolicy',
      'Duration',
      'HealthCheckPolicy',
      'ResourceMetadata',
    ]) {
      expect(names, name).toContain(name);
    }
  });

  it('leaves out operation wrappers, error shapes and primitive aliases', () => {
    const names = new Set([...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
    for (const op of model.operations.values()) {
      expect(names.has(op.inputShape), op.inputShape).toBe(false);
      expect(names.has(op.outputShape), op.outputShape).toBe(false);
    }
    for (const name of ['BadRequestException', 'NotFoundException', 'ResourceName', 'Arn', 'String', 'Boolean']) {
      expect(names.has(name), name).toBe(false);
    }
    expect(source).not.toMatch(/^export type \w+ = (?:string|number|boolean|Date);$/m);
  });

  it('renders VirtualNodeSpec with optional listeners, backends, serviceDiscovery, logging and backendDefaults', () => {
    expect(memberLines('VirtualNodeSpec')).toEqual([
      'readonly backendDefaults?: BackendDefaults;',
      'readonly backends?: readonly Backend[];',
      'readonly listeners?: readonly Listener[];',
      'readonly logging?: Logging;',
      'readonly serviceDiscovery?: ServiceDiscovery;',
    ]);
    expect(interfaceBody('VirtualNodeSpec')).toMatch(
      /\/\*\* The service discovery information for the virtual node\. \*\//,
    );
  });

  it('renders string enums as unions of literals', () => {
    expect(source).toContain("export type PortProtocol = 'http' | 'tcp' | 'http2' | 'grpc';");
  });

  it('renders union structures as interfaces with every member optional, documented as exactly one', () => {
    expect(memberLines('ServiceDiscovery')).toEqual([
      'readonly awsCloudMap?: AwsCloudMapServiceDiscovery;',
      'readonly dns?: DnsServiceDiscovery;',
    ]);
    expect(declarationDoc('ServiceDiscovery')).toContain('Exactly one member is set.');
    expect(declarationDoc('VirtualNodeSpec')).not.toContain('Exactly one member is set.');
  });

  it('renders required members without `?` and integers as number', () => {
    expect(memberLines('WeightedTarget')).toContain('readonly weight: number;');
    expect(memberLines('WeightedTarget')).toContain('readonly virtualNode: string;');
    expect(memberLines('WeightedTarget')).toContain('readonly port?: number;');
  });

  it('renders timestamps as Date and longs as number', () => {
    expect(memberLines('ResourceMetadata')).toEqual(
      expect.arrayContaining(['readonly createdAt: Date;', 'readonly version: number;']),
    );
  });

  it('keeps member documentation short and plain', () => {
    const comments = [...source.matchAll(/\/\*\*[\s\S]*?\*\//g)].map((m) => m[0]);
    expect(comments.length).toBeGreaterThan(300);
    for (const comment of comments) {
      const text = comment.replace(/^\/\*\*|\*\/$|^\s*\* ?/gm, '');
      expect(text, comment).not.toMatch(/<\/?[a-z]+>|\]\(http|`|\*\*/);
      expect(comment.split('\n').length, comment).toBeLessThanOrEqual(8);
    }
  });
});

describe('the generated declarations', () => {
  it('type-check as the App Mesh shapes', () => {
    const target: WeightedTarget = { virtualNode: 'serviceB', weight: 100 };
    const discovery: ServiceDiscovery = { dns: { hostname: 'svc.local' } };
    const spec: VirtualNodeSpec = {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: discovery,
    };
    expectTypeOf<WeightedTarget['weight']>().toEqualTypeOf<number>();
    expectTypeOf<PortProtocol>().toEqualTypeOf<'http' | 'tcp' | 'http2' | 'grpc'>();
    // @ts-expect-error weight is required
    const missingWeight: WeightedTarget = { virtualNode: 'serviceB' };
    expect([target, spec, missingWeight]).toHaveLength(3);
  });
});
