import { AUTH_TO_REST, DOMAIN_TO_REST, HTTP_LAYER_ERRORS } from '../../platform/http/aws-error-types.js';
import type { AppMeshModel, OperationSpec } from './app-mesh-model.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { anchorPattern } from './patterns.js';
import { referencedShapes, type MemberSpec, type ShapeSpec, type StructureShape } from './shapes.js';

/** A JSON value of the OpenAPI document. */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

const SCHEMAS = '#/components/schemas/';
const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete'];

/** An error the server sends that the App Mesh model does not list (its shape is `{message}` too). */
interface ServerError {
  readonly status: number;
  readonly type: string;
  readonly when: string;
}

/** Why each authentication failure is sent, keyed by AuthErrorCode. */
const AUTH_WHEN: Readonly<Record<string, string>> = {
  MISSING_CREDENTIALS: 'The request has no `Authorization` header.',
  MALFORMED_CREDENTIALS: 'The `Authorization` header or the signed headers are not a well-formed SigV4 signature.',
  UNKNOWN_CREDENTIALS: 'The access key is not known.',
  REVOKED_CREDENTIALS: 'The access key has been revoked.',
  SIGNATURE_MISMATCH: 'The signature does not match the request, or `x-amz-content-sha256` does not match the body.',
  SIGNATURE_EXPIRED:
    '`X-Amz-Date` is more than `SIGV4_MAX_SKEW_SECONDS` away from the server clock; the SDKs correct their clock and retry.',
  WRONG_SCOPE: 'The credential scope names another region or service.',
  TENANT_SUSPENDED: 'The tenant is suspended.',
};

/**
 * Errors any operation can get from meshplane besides the model's: SigV4 failures (the types AWS
 * services send, which the SDKs know) and the HTTP layer's limits (ADR 0012). Errors with a
 * model type (ForbiddenException, TooManyRequestsException, ...) are added where the model omits them.
 */
const SERVER_ERRORS: readonly ServerError[] = [
  ...Object.entries(AUTH_TO_REST).map(([code, error]) => ({ ...error, when: AUTH_WHEN[code] ?? '' })),
  { ...DOMAIN_TO_REST.BAD_REQUEST, when: '' },
  { ...DOMAIN_TO_REST.TOO_MANY_REQUESTS, when: '' },
  { ...DOMAIN_TO_REST.SERVICE_UNAVAILABLE, when: '' },
  {
    ...HTTP_LAYER_ERRORS.requestTimeout,
    when: "The request (headers, or headers and body) was not received completely within the server's bound (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`); the connection is closed. The SDKs retry it.",
  },
  {
    ...HTTP_LAYER_ERRORS.bodyTooLarge,
    when: 'The request body is larger than 1 MiB.',
  },
  {
    ...HTTP_LAYER_ERRORS.unsupportedMediaType,
    when: 'A non-empty body that is not `application/json` in UTF-8, or a `Content-Encoding` other than `identity`. Sent only to an authenticated caller.',
  },
  {
    ...HTTP_LAYER_ERRORS.headersTooLarge,
    when: 'The request headers are larger than 16 KiB; the connection is closed.',
  },
];

/** Not an answer of any operation: what a request to a path or method that is none gets. */
const UNKNOWN_OPERATION: ServerError = {
  ...HTTP_LAYER_ERRORS.unknownOperation,
  when: 'A request under `/v20190125` whose method and path are no operation of this API (after authentication).',
};

/**
 * Operations whose output carries meshplane's `meshplaneStatus` member next to the model's
 * (docs/api/app-mesh.md#extension-meshplanestatus): the Describe operations of every kind but meshes.
 */
export const MESHPLANE_STATUS_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeGatewayRoute',
  'DescribeRoute',
  'DescribeVirtualGateway',
  'DescribeVirtualNode',
  'DescribeVirtualRouter',
  'DescribeVirtualService',
]);

const MESHPLANE_STATUS = 'MeshplaneStatus';

/**
 * The OpenAPI 3.1 description of the App Mesh surface, generated from the same shapes as the
 * validators: every operation with its URI labels, query parameters, JSON body, success and error
 * responses, and a JSON Schema per shape they use. Deterministic: named collections are sorted.
 */
export function buildOpenApiDocument(model: AppMeshModel): JsonObject {
  const operations = [...model.operations.values()].sort((a, b) => byCodeUnit(a.name, b.name));
  const paths: Record<string, Record<string, JsonObject>> = {};
  const roots = new Set<string>();
  for (const op of operations) {
    const path = openApiPath(op.requestUri);
    const method = op.method.toLowerCase();
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`${op.name} and another operation share ${op.method} ${path}`);
    item[method] = operationObject(model, op, roots);
  }
  const schemas: JsonObject = {};
  for (const name of reachable(model, roots)) schemas[name] = schemaOf(model.shape(name));
  const whens = new Map<string, ServerError[]>();
  for (const error of [...SERVER_ERRORS, UNKNOWN_OPERATION])
    whens.set(error.type, [...(whens.get(error.type) ?? []), error]);
  for (const [type, errors] of whens) schemas[type] ??= errorSchema(errors);
  schemas[MESHPLANE_STATUS] = meshplaneStatusSchema();
  for (const op of operations.filter((o) => MESHPLANE_STATUS_OPERATIONS.has(o.name))) {
    const data = successShapeOf(model, op);
    schemas[withStatusName(data)] = withMeshplaneStatus(schemaOf(model.shape(data)));
  }
  const tags = [...new Set(operations.map(tagOf))].sort(byCodeUnit).map((name): JsonObject => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: `${model.metadata.serviceFullName} API (meshplane)`,
      version: model.metadata.apiVersion,
      description: [
        `Generated from the ${model.metadata.serviceFullName} ${model.metadata.apiVersion} model ` +
          '(`reference/appmesh-2019-01-25.service-2.json`) by `npm run docs:openapi`: do not edit by hand. ' +
          'meshplane serves this API wire-compatibly: restJson1, errors as the `x-amzn-ErrorType` header ' +
          'with a `{"message": ...}` body, timestamps as epoch seconds. Besides the errors the model lists, ' +
          "every operation can get the SigV4 errors AWS services send and the HTTP limits' errors " +
          '(408, 413, 415, 431); a request whose method and path are no operation gets ' +
          '`UnknownOperationException` (404, `#/components/responses/UnknownOperation`). The Describe ' +
          'operations of every kind but meshes add the `meshplaneStatus` member (`x-meshplane-extension`).',
        markdown(model.documentation),
      ]
        .filter((part) => part !== '')
        .join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ sigv4: [] }],
    tags,
    paths: sortKeys(
      Object.fromEntries(
        Object.entries(paths).map(([path, item]) => [
          path,
          Object.fromEntries(
            Object.entries(item).sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b)),
          ),
        ]),
      ),
    ),
    components: {
      schemas: sortKeys(schemas),
      responses: {
        UnknownOperation: errorResponse(UNKNOWN_OPERATION.when, [UNKNOWN_OPERATION.type]),
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            `AWS Signature Version 4, signing name \`${model.metadata.signingName}\`: ` +
            '`Authorization: AWS4-HMAC-SHA256 Credential=<access key id>/<date>/<region>/' +
            `${model.metadata.signingName}/aws4_request, SignedHeaders=..., Signature=...\`, ` +
            'with `X-Amz-Date` (and `X-Amz-Security-Token` for temporary credentials). ' +
            'Every AWS SDK, the AWS CLI and Terraform sign requests this way given an access key of a meshplane tenant.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

/** The document as written to `docs/api/openapi.json` before formatting: 2-space JSON and a newline. */
export function renderOpenApiJson(model: AppMeshModel): string {
  return `${JSON.stringify(buildOpenApiDocument(model), null, 2)}\n`;
}

/** `{label+}` (greedy) becomes `{label}`; a literal query part is not part of the path. */
export function openApiPath(requestUri: string): string {
  return (requestUri.split('?', 1)[0] ?? '').replace(/\{([A-Za-z0-9_]+)\+\}/g, '{$1}');
}

function operationObject(model: AppMeshModel, op: OperationSpec, roots: Set<string>): JsonObject {
  const input = structure(model, op.inputShape);
  const description = markdown(op.documentation);
  const parameters: JsonObject[] = [];
  const located = (location: string) => input.members.filter((m) => m.location === location);
  for (const m of [...located('uri'), ...located('querystring')]) {
    roots.add(m.shape);
    parameters.push({
      name: m.locationName,
      in: m.location === 'uri' ? 'path' : 'query',
      required: m.location === 'uri' || m.required,
      ...describe(m.documentation),
      schema: ref(m.shape),
    });
  }
  const bodyMembers = input.members.filter((m) => m.location === undefined);
  for (const m of bodyMembers) roots.add(m.shape);

  const successShape = successShapeOf(model, op);
  roots.add(successShape);
  const responses: JsonObject = {
    [String(op.responseCode)]: {
      description: 'Success.',
      content: {
        'application/json': {
          schema: ref(MESHPLANE_STATUS_OPERATIONS.has(op.name) ? withStatusName(successShape) : successShape),
        },
      },
    },
  };
  const byStatus = new Map<number, Set<string>>();
  const add = (status: number, name: string) => byStatus.set(status, (byStatus.get(status) ?? new Set()).add(name));
  for (const name of op.errors) {
    roots.add(name);
    add(structure(model, name).error?.httpStatusCode ?? 400, name);
  }
  for (const error of SERVER_ERRORS) add(error.status, error.type);
  for (const [status, set] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = errorResponse(undefined, [...set].sort(byCodeUnit));
  }
  return {
    operationId: op.name,
    summary: summaryOf(description) || op.name,
    ...describe(op.documentation),
    tags: [tagOf(op)],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(bodyMembers.length > 0
      ? {
          requestBody: {
            required: bodyMembers.some((m) => m.required),
            content: { 'application/json': { schema: objectSchema(bodyMembers, false) } },
          },
        }
      : {}),
    responses,
    ...(op.idempotent ? { 'x-idempotent': true } : {}),
  };
}

function errorResponse(description: string | undefined, names: readonly string[]): JsonObject {
  return {
    description: description ?? names.join(' or '),
    headers: {
      'x-amzn-ErrorType': {
        description: 'The error type; AWS SDKs turn it into the name of the error they raise.',
        required: true,
        schema: { type: 'string', enum: [...names] },
      },
    },
    content: {
      'application/json': { schema: names.length === 1 ? ref(names[0] ?? '') : { anyOf: names.map(ref) } },
    },
  };
}

/** The schema of an error the model does not define: the same `{message}` body as the model's. */
function errorSchema(errors: readonly ServerError[]): JsonObject {
  return {
    type: 'object',
    description: `HTTP ${errors[0]?.status}. ${errors.map((e) => e.when).join(' ')}`.trim(),
    properties: { message: { type: 'string' } },
    required: ['message'],
  };
}

function meshplaneStatusSchema(): JsonObject {
  return {
    type: 'object',
    description:
      'meshplane extension: what the control plane made of the resource when it last compiled its mesh into ' +
      "proxy configuration, next to App Mesh's own `status`. Absent when there is nothing to tell yet. " +
      'See docs/api/app-mesh.md#extension-meshplanestatus.',
    properties: {
      translation: {
        type: 'string',
        enum: ['OK', 'DEGRADED', 'REJECTED', 'PENDING'],
        description:
          '`OK`: translated without a problem. `DEGRADED`: the part its problem affects is left out of what proxies ' +
          'are served. `REJECTED`: its problem would have removed configuration running proxies are served, so that ' +
          'compile was not published. `PENDING`: this version has not been compiled yet.',
      },
      reason: { type: 'string', description: 'Why it is `DEGRADED` or `REJECTED`.' },
      generation: {
        type: 'string',
        pattern: '^[0-9]+$',
        description: 'The mesh generation of the compile that decided it (absent while `PENDING`).',
      },
    },
    required: ['translation'],
    additionalProperties: false,
    'x-meshplane-extension': true,
  };
}

function withStatusName(shape: string): string {
  return `${shape}WithMeshplaneStatus`;
}

/** A Describe output: the model's resource data plus the optional `meshplaneStatus` member. */
function withMeshplaneStatus(data: JsonObject): JsonObject {
  return {
    ...data,
    properties: {
      ...(data.properties as JsonObject),
      meshplaneStatus: { ...ref(MESHPLANE_STATUS), 'x-meshplane-extension': true },
    },
  };
}

function successShapeOf(model: AppMeshModel, op: OperationSpec): string {
  const payload = op.outputPayload;
  return payload === undefined ? op.outputShape : memberOf(structure(model, op.outputShape), payload).shape;
}

function schemaOf(shape: ShapeSpec): JsonObject {
  const doc = describe(shape.documentation);
  switch (shape.type) {
    case 'string':
      return {
        type: 'string',
        ...doc,
        ...(shape.enum ? { enum: [...shape.enum] } : {}),
        ...bound('minLength', shape.min),
        ...bound('maxLength', shape.max),
        ...(shape.pattern !== undefined ? { pattern: anchoredPattern(shape.pattern) } : {}),
      };
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return {
        type: shape.type === 'integer' || shape.type === 'long' ? 'integer' : 'number',
        format: { integer: 'int32', long: 'int64', float: 'float', double: 'double' }[shape.type],
        ...doc,
        ...bound('minimum', shape.min),
        ...bound('maximum', shape.max),
      };
    case 'boolean':
      return { type: 'boolean', ...doc };
    case 'timestamp':
      return {
        type: 'number',
        description: [
          'A point in time as seconds since the Unix epoch (1970-01-01T00:00:00Z): a JSON number with a ' +
            'millisecond fraction, e.g. `1767225600.123`.',
          doc.description ?? '',
        ]
          .filter((part) => part !== '')
          .join('\n\n'),
      };
    case 'blob':
      return { type: 'string', contentEncoding: 'base64', ...doc };
    case 'list':
      return {
        type: 'array',
        ...doc,
        items: ref(shape.member),
        ...bound('minItems', shape.min),
        ...bound('maxItems', shape.max),
      };
    case 'map':
      return {
        type: 'object',
        ...doc,
        propertyNames: ref(shape.key),
        additionalProperties: ref(shape.value),
        ...bound('minProperties', shape.min),
        ...bound('maxProperties', shape.max),
      };
    case 'structure': {
      const schema = objectSchema(
        shape.members.filter((m) => m.location === undefined),
        shape.union,
      );
      const text = [doc.description ?? '', shape.union ? 'Exactly one member must be set.' : '']
        .filter((part) => part !== '')
        .join('\n\n');
      return { ...(text !== '' ? { description: text } : {}), ...schema };
    }
  }
}

function objectSchema(members: readonly MemberSpec[], union: boolean): JsonObject {
  const sorted = [...members].sort((a, b) => byCodeUnit(a.locationName, b.locationName));
  const required = sorted.filter((m) => m.required).map((m) => m.locationName);
  return {
    type: 'object',
    properties: Object.fromEntries(
      sorted.map((m): [string, JsonObject] => [m.locationName, { ...ref(m.shape), ...describe(m.documentation) }]),
    ),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(union ? { minProperties: 1, maxProperties: 1 } : {}),
  };
}

function reachable(model: AppMeshModel, roots: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...referencedShapes(model.shape(name)));
  }
  return seen;
}

/** The resource an operation acts on: the last literal segment of its URI (tag/untag/tags → Tags). */
function tagOf(op: OperationSpec): string {
  const literal = op.requestUri
    .split('?', 1)[0]
    ?.split('/')
    .filter((s) => s !== '' && !s.startsWith('{'))
    .pop();
  const name = literal === undefined || /^(un)?tags?$/.test(literal) ? 'tags' : literal;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function summaryOf(description: string): string {
  const paragraph = (description.split('\n\n', 1)[0] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
  return (/^(.*?\.)(?:\s|$)/.exec(paragraph)?.[1] ?? paragraph).trim();
}

function markdown(html: string | undefined): string {
  return html === undefined ? '' : htmlToMarkdown(html);
}

function describe(html: string | undefined): { description?: string } {
  const text = markdown(html);
  return text === '' ? {} : { description: text };
}

function ref(shape: string): JsonObject {
  return { $ref: `${SCHEMAS}${shape}` };
}

function bound(key: string, value: number | undefined): JsonObject {
  return value === undefined ? {} : { [key]: value };
}

/** Patterns the model already anchors (`^...$`, no alternation) are published as written. */
function anchoredPattern(pattern: string): string {
  const anchored =
    pattern.startsWith('^') && pattern.endsWith('$') && !pattern.endsWith('\\$') && !pattern.includes('|');
  return anchored ? pattern : anchorPattern(pattern);
}

function structure(model: AppMeshModel, name: string): StructureShape {
  const shape = model.shape(name);
  if (shape.type !== 'structure') throw new Error(`${name} is not a structure`);
  return shape;
}

function memberOf(shape: StructureShape, name: string): MemberSpec {
  const member = shape.members.find((m) => m.name === name);
  if (!member) throw new Error(`${shape.name} has no member ${name}`);
  return member;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => byCodeUnit(a, b)));
}

/** Locale-independent, so the document is the same on every machine. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
