import {
  ModelFormatError,
  rawArray,
  rawObject,
  rawString,
  optionalFlag,
  optionalNumber,
  optionalString,
} from './raw-json.js';
import type { ShapeSpec } from './shapes.js';

/** The 38 operations of App Mesh 2019-01-25; `AppMeshModel.load()` checks this list against the model. */
export const OPERATION_NAMES = [
  'CreateGatewayRoute',
  'CreateMesh',
  'CreateRoute',
  'CreateVirtualGateway',
  'CreateVirtualNode',
  'CreateVirtualRouter',
  'CreateVirtualService',
  'DeleteGatewayRoute',
  'DeleteMesh',
  'DeleteRoute',
  'DeleteVirtualGateway',
  'DeleteVirtualNode',
  'DeleteVirtualRouter',
  'DeleteVirtualService',
  'DescribeGatewayRoute',
  'DescribeMesh',
  'DescribeRoute',
  'DescribeVirtualGateway',
  'DescribeVirtualNode',
  'DescribeVirtualRouter',
  'DescribeVirtualService',
  'ListGatewayRoutes',
  'ListMeshes',
  'ListRoutes',
  'ListTagsForResource',
  'ListVirtualGateways',
  'ListVirtualNodes',
  'ListVirtualRouters',
  'ListVirtualServices',
  'TagResource',
  'UntagResource',
  'UpdateGatewayRoute',
  'UpdateMesh',
  'UpdateRoute',
  'UpdateVirtualGateway',
  'UpdateVirtualNode',
  'UpdateVirtualRouter',
  'UpdateVirtualService',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

export interface OperationSpec {
  readonly name: OperationName;
  readonly method: HttpMethod;
  /** As in the model, e.g. `/v20190125/meshes/{meshName}/virtualNodes`. */
  readonly requestUri: string;
  /** The Fastify/Nest route path, e.g. `/v20190125/meshes/:meshName/virtualNodes`. */
  readonly fastifyPath: string;
  readonly inputShape: string;
  readonly outputShape: string;
  /** The output member that is the whole response body (e.g. `virtualNode`); absent when the body is the output structure. */
  readonly outputPayload?: string;
  /** Error shape names, in model order. */
  readonly errors: readonly string[];
  /** The HTTP status of a success (200 for every App Mesh operation). */
  readonly responseCode: number;
  readonly idempotent: boolean;
  /** The model's HTML. */
  readonly documentation?: string;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'PUT', 'POST', 'DELETE', 'PATCH']);
const NAMES: ReadonlySet<string> = new Set<string>(OPERATION_NAMES);

/**
 * `{label}` becomes `:label` and a greedy `{label+}` becomes `*`; a literal query part of the
 * URI (`/x?tagging`, not used by App Mesh) is not part of the route path.
 */
export function toFastifyPath(requestUri: string): string {
  const path = requestUri.split('?', 1)[0] ?? '';
  return path.replace(/\{([A-Za-z0-9_]+)(\+?)\}/g, (_, label: string, greedy: string) => (greedy ? '*' : `:${label}`));
}

/** The URI labels of a request URI, in order (`{key+}` gives `key`). */
export function uriLabels(requestUri: string): string[] {
  return [...requestUri.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1] ?? '');
}

export function parseOperations(
  raw: unknown,
  shapes: ReadonlyMap<string, ShapeSpec>,
): Map<OperationName, OperationSpec> {
  const operations = new Map<OperationName, OperationSpec>();
  const entries = Object.entries(rawObject(raw, 'operations'));
  const missing = OPERATION_NAMES.filter((name) => !entries.some(([key]) => key === name));
  const extra = entries.map(([key]) => key).filter((key) => !NAMES.has(key));
  if (missing.length > 0 || extra.length > 0) {
    throw new ModelFormatError(
      'operations',
      `exactly OPERATION_NAMES (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`,
    );
  }
  for (const [name, value] of entries) {
    const where = `operations.${name}`;
    const op = rawObject(value, where);
    const http = rawObject(op.http, `${where}.http`);
    const method = rawString(http.method, `${where}.http.method`);
    if (!METHODS.has(method)) throw new ModelFormatError(`${where}.http.method`, [...METHODS].join(' | '));
    const requestUri = rawString(http.requestUri, `${where}.http.requestUri`);
    const inputShape = structureRef(op.input, `${where}.input`, shapes);
    const outputShape = structureRef(op.output, `${where}.output`, shapes);
    const output = shapes.get(outputShape);
    const payload = output?.type === 'structure' ? output.payload : undefined;
    const documentation = optionalString(op.documentation, `${where}.documentation`);
    operations.set(name as OperationName, {
      name: name as OperationName,
      method: method as HttpMethod,
      requestUri,
      fastifyPath: toFastifyPath(requestUri),
      inputShape,
      outputShape,
      ...(payload !== undefined ? { outputPayload: payload } : {}),
      errors: rawArray(op.errors ?? [], `${where}.errors`).map((e, i) =>
        structureRef(e, `${where}.errors[${i}]`, shapes),
      ),
      responseCode: optionalNumber(http.responseCode, `${where}.http.responseCode`) ?? 200,
      idempotent: optionalFlag(op.idempotent, `${where}.idempotent`),
      ...(documentation !== undefined ? { documentation } : {}),
    });
  }
  return operations;
}

function structureRef(raw: unknown, where: string, shapes: ReadonlyMap<string, ShapeSpec>): string {
  const name = rawString(rawObject(raw, where).shape, `${where}.shape`);
  if (shapes.get(name)?.type !== 'structure')
    throw new ModelFormatError(`${where}.shape (${name})`, 'a structure shape');
  return name;
}
