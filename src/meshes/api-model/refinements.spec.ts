import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppMeshModel, type HttpInputParts, type OperationName } from './app-mesh-model.js';
import { NEW_NAME_MEMBERS, REGEX_MEMBERS } from './refinements.js';

const model = AppMeshModel.load();

function problems(op: OperationName, input: Partial<HttpInputParts>): string[] {
  try {
    model.validateInput(op, { path: {}, query: {}, body: undefined, ...input });
    return [];
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return err.message.split('; ');
  }
}

const NUL = 'must not contain the NUL character (U+0000)';
const LONE = (unit: string) => `must not contain an unpaired UTF-16 surrogate (U+${unit})`;

const route = (match: Record<string, unknown>) =>
  problems('CreateRoute', {
    path: { meshName: 'm', virtualRouterName: 'r' },
    body: {
      routeName: 'x',
      spec: { httpRoute: { match, action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } } },
    },
  });

describe('text every string must be', () => {
  it('refuses NUL and lone surrogates in names, tags, spec strings, tokens and query values, naming the field', () => {
    expect(problems('CreateMesh', { body: { meshName: 'a\u0000b' } })).toEqual([`meshName: ${NUL}`]);
    expect(problems('DescribeMesh', { path: { meshName: 'a\ud800' } })).toEqual([`meshName: ${LONE('D800')}`]);
    expect(
      problems('CreateMesh', {
        body: { meshName: 'm', clientToken: '\u0000', tags: [{ key: 'k\udc00', value: 'v\u0000' }] },
      }),
    ).toEqual([`clientToken: ${NUL}`, `tags[0].key: ${LONE('DC00')}`, `tags[0].value: ${NUL}`]);
    expect(route({ prefix: '/a\u0000' })).toEqual([`spec.httpRoute.match.prefix: ${NUL}`]);
    expect(problems('ListMeshes', { query: { nextToken: '\u0000' } })).toEqual([`nextToken: ${NUL}`]);
    expect(problems('DescribeMesh', { path: { meshName: 'm' }, query: { meshOwner: '\u0000' } })[0]).toMatch(
      /^meshOwner: /,
    );
  });

  it('accepts well-formed text outside the Basic Multilingual Plane (a surrogate pair)', () => {
    expect(
      problems('CreateMesh', { body: { meshName: 'mesh-\u{1F600}', tags: [{ key: '\u{1F600}', value: 'é' }] } }),
    ).toEqual([]);
  });
});

describe('resource names', () => {
  it('refuse "/" (ARN and node id separator), control characters and dot segments, wherever a name is', () => {
    const slash = 'must not contain "/" (it separates the parts of an ARN and of a proxy\'s node id)';
    expect(problems('CreateMesh', { body: { meshName: 'x/virtualNode/y' } })).toEqual([`meshName: ${slash}`]);
    expect(
      problems('CreateVirtualService', {
        path: { meshName: 'm' },
        body: { virtualServiceName: 'svc/x', spec: { provider: { virtualNode: { virtualNodeName: 'n' } } } },
      }),
    ).toEqual([`virtualServiceName: ${slash}`]);
    // Lookups and references only need valid text: such a name is not found (and one stored
    // before the rule existed can still be described and deleted).
    expect(problems('DescribeVirtualNode', { path: { meshName: 'm', virtualNodeName: 'a/b' } })).toEqual([]);
    expect(problems('DeleteMesh', { path: { meshName: 'x/virtualNode/y' } })).toEqual([]);
    expect(problems('CreateMesh', { body: { meshName: 'a\nb' } })).toEqual([
      'meshName: must not contain control characters (U+0000 to U+001F, U+007F to U+009F)',
    ]);
    expect(problems('CreateMesh', { body: { meshName: '..' } })).toEqual([
      'meshName: must not be "." or ".." (URL paths drop such segments)',
    ]);
    expect(problems('CreateMesh', { body: { meshName: 'a.b_c-d:e@f é' } })).toEqual([]);
  });

  it('apply to the name of the new resource of every Create operation', () => {
    const creates = [...model.operations.values()].filter((op) => op.name.startsWith('Create'));
    expect(creates).toHaveLength(7);
    for (const op of creates) {
      const input = model.shape(op.inputShape);
      const named =
        input.type === 'structure'
          ? input.members.filter((m) => NEW_NAME_MEMBERS.includes(`${input.name}.${m.name}`))
          : [];
      expect(
        named.map((m) => m.name),
        op.name,
      ).toHaveLength(1);
    }
  });

  it('bound a virtual service name to 255 characters like every other name', () => {
    const create = (name: string) =>
      problems('CreateVirtualService', { path: { meshName: 'm' }, body: { virtualServiceName: name, spec: {} } });
    expect(create('s'.repeat(255))).toEqual([]);
    expect(create('s'.repeat(256))).toEqual(['virtualServiceName: must be between 1 and 255 characters long']);
    expect(create('')).toEqual(['virtualServiceName: must be between 1 and 255 characters long']);
  });
});

describe('numbers', () => {
  const node = (listener: Record<string, unknown>) =>
    problems('CreateVirtualNode', {
      path: { meshName: 'm' },
      body: {
        virtualNodeName: 'n',
        spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' }, ...listener }] },
      },
    });
  it('fit what they become in Envoy: 32-bit integers, durations up to what Envoy loads (9,223,372,035 s), uint32 counters', () => {
    expect(node({ connectionPool: { http: { maxConnections: 2 ** 31 - 1 } } })).toEqual([]);
    expect(node({ connectionPool: { http: { maxConnections: 2 ** 31 } } })).toEqual([
      'spec.listeners[0].connectionPool.http.maxConnections: must be between 1 and 2147483647',
    ]);
    expect(node({ timeout: { http: { idle: { unit: 's', value: 9_223_372_035 } } } })).toEqual([]);
    expect(node({ timeout: { http: { idle: { unit: 's', value: 9_223_372_036 } } } })).toEqual([
      'spec.listeners[0].timeout.http.idle.value: must be between 0 and 9223372035',
    ]);
    expect(
      node({
        outlierDetection: {
          maxServerErrors: 2 ** 32,
          maxEjectionPercent: 10,
          interval: { unit: 's', value: 1 },
          baseEjectionDuration: { unit: 's', value: 1 },
        },
      }),
    ).toEqual(['spec.listeners[0].outlierDetection.maxServerErrors: must be between 1 and 4294967295']);
  });
});

describe('text that becomes an Envoy header, domain or path rewrite', () => {
  it('has no line break', () => {
    const rule = 'must not contain a line break (CR or LF): Envoy refuses it in headers and paths';
    expect(route({ prefix: '/', headers: [{ name: 'x\ny' }] })).toEqual([
      `spec.httpRoute.match.headers[0].name: ${rule}`,
    ]);
    const gatewayRoute = (match: unknown, action: unknown) =>
      problems('CreateGatewayRoute', {
        path: { meshName: 'm', virtualGatewayName: 'g' },
        body: { gatewayRouteName: 'x', spec: { httpRoute: { match, action } } },
      });
    const target = { target: { virtualService: { virtualServiceName: 's' } } };
    expect(gatewayRoute({ prefix: '/', hostname: { exact: 'a\r.com' } }, target)).toEqual([
      `spec.httpRoute.match.hostname.exact: ${rule}`,
    ]);
    expect(gatewayRoute({ prefix: '/a/' }, { ...target, rewrite: { prefix: { value: '/b\n/' } } })).toEqual([
      `spec.httpRoute.action.rewrite.prefix.value: ${rule}`,
    ]);
    // Header values may hold them: Envoy matches them as given.
    expect(route({ prefix: '/', headers: [{ name: 'x', match: { exact: 'a\nb' } }] })).toEqual([]);
  });

  it('names a query parameter with at least one character (Envoy refuses an empty matcher name)', () => {
    expect(route({ prefix: '/', queryParameters: [{ name: '' }] })).toEqual([
      'spec.httpRoute.match.queryParameters[0].name: must be at least 1 character long',
    ]);
    // An empty value to match is fine: Envoy matches `?q=` with it.
    expect(route({ prefix: '/', queryParameters: [{ name: 'q', match: { exact: '' } }] })).toEqual([]);
  });
});

describe('host names', () => {
  it('have no *, which Envoy takes as a wildcard (gateway route hostnames, virtual service names)', () => {
    const rule = 'must not contain "*" (a host name, which Envoy would take as a wildcard)';
    const gatewayRoute = (hostname: unknown) =>
      problems('CreateGatewayRoute', {
        path: { meshName: 'm', virtualGatewayName: 'g' },
        body: {
          gatewayRouteName: 'x',
          spec: {
            httpRoute: {
              match: { prefix: '/', hostname },
              action: { target: { virtualService: { virtualServiceName: 's' } } },
            },
          },
        },
      });
    expect(gatewayRoute({ exact: 'www.example.com' })).toEqual([]);
    expect(gatewayRoute({ exact: '*.example.com' })).toEqual([`spec.httpRoute.match.hostname.exact: ${rule}`]);
    expect(gatewayRoute({ suffix: '*' })).toEqual([`spec.httpRoute.match.hostname.suffix: ${rule}`]);
    // The line-break rule still applies first.
    expect(gatewayRoute({ exact: 'a\n*' })[0]).toMatch(/line break/);
    const service = (name: string) =>
      problems('CreateVirtualService', { path: { meshName: 'm' }, body: { virtualServiceName: name, spec: {} } });
    expect(service('*.local')).toEqual([`virtualServiceName: ${rule}`]);
    expect(service('a/b')[0]).toMatch(/must not contain "\/"/);
    // A lookup of such a name (stored before the rule) is still possible.
    expect(problems('DescribeVirtualService', { path: { meshName: 'm', virtualServiceName: '*' } })).toEqual([]);
  });
});

describe('access log formats', () => {
  it('are Envoy substitution formats, in node and gateway logs, text and JSON values', () => {
    const node = (format: unknown) =>
      problems('CreateVirtualNode', {
        path: { meshName: 'm' },
        body: { virtualNodeName: 'n', spec: { logging: { accessLog: { file: { path: '/dev/stdout', format } } } } },
      });
    const gateway = (format: unknown) =>
      problems('CreateVirtualGateway', {
        path: { meshName: 'm' },
        body: {
          virtualGatewayName: 'g',
          spec: {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            logging: { accessLog: { file: { path: '/dev/stdout', format } } },
          },
        },
      });
    expect(node({ text: '%START_TIME% %REQ(:PATH)% %RESPONSE_CODE% 100%%\n' })).toEqual([]);
    expect(node({ text: '%NOPE%' })).toEqual([
      'spec.logging.accessLog.file.format.text: must be an Envoy access log format: %NOPE% at position 0 is not a command operator Envoy supports',
    ]);
    expect(
      gateway({
        json: [
          { key: 'code', value: '%RESPONSE_CODE%' },
          { key: 'pct', value: '50%' },
        ],
      }),
    ).toEqual([
      'spec.logging.accessLog.file.format.json[1].value: must be an Envoy access log format: the % at position 2 starts no command operator (%NAME%, %NAME(argument)% or %NAME(argument):length%, or %% for a literal %)',
    ]);
  });
});

describe('client tokens', () => {
  it('are 1 to 64 characters, what is stored, in every operation that takes one', () => {
    const mesh = (clientToken: string) => problems('CreateMesh', { body: { meshName: 'm', clientToken } });
    expect(mesh('t'.repeat(64))).toEqual([]);
    expect(mesh('\u{1F600}'.repeat(64))).toEqual([]);
    expect(mesh('t'.repeat(65))).toEqual(['clientToken: must be between 1 and 64 characters long']);
    expect(mesh('')).toEqual(['clientToken: must be between 1 and 64 characters long']);
    expect(
      problems('UpdateRoute', {
        path: { meshName: 'm', virtualRouterName: 'r', routeName: 'x' },
        body: { clientToken: 'x'.repeat(65), spec: {} },
      }),
    ).toEqual(['clientToken: must be between 1 and 64 characters long']);
  });
});

describe('regular expressions', () => {
  it('are checked with RE2, the dialect Envoy runs, in every member that becomes a safe_regex', () => {
    expect(route({ path: { regex: '^/api/(v1|v2)/.*$' } })).toEqual([]);
    expect(route({ path: { regex: '/a(b' } })).toEqual([
      "spec.httpRoute.match.path.regex: must be a regular expression in Envoy's RE2 syntax (missing closing ): `/a(b`)",
    ]);
    expect(route({ prefix: '/', headers: [{ name: 'h', match: { regex: '(?=x)' } }] })).toEqual([
      "spec.httpRoute.match.headers[0].match.regex: must be a regular expression in Envoy's RE2 syntax (invalid or unsupported Perl syntax: `(?=`)",
    ]);
    // Envoy 1.40 (validate mode) refuses x{97} with a program size of 101; x{96} passes.
    expect(route({ path: { regex: 'x{96}' } })).toEqual([]);
    expect(route({ path: { regex: 'x{97}' } })).toEqual([
      "spec.httpRoute.match.path.regex: is too large for Envoy (an RE2 program of at least 101 instructions, over Envoy's limit of 100)",
    ]);
    // The same shape as a plain exact match is not a regex.
    expect(route({ prefix: '/', headers: [{ name: 'h', match: { exact: '(?=x)' } }] })).toEqual([]);
  });

  it('cover exactly the members named regex in the model', () => {
    const regexMembers = [...model.shapes.values()].flatMap((s) =>
      s.type === 'structure' ? s.members.filter((m) => m.name === 'regex').map((m) => `${s.name}.${m.name}`) : [],
    );
    expect([...REGEX_MEMBERS].sort()).toEqual(regexMembers.sort());
  });
});
