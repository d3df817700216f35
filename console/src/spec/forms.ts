import type { Spec } from './access';

/**
 * The form of each kind: the spec members an operator sets most, as paths into the spec in the
 * API's field-path notation, so a VALIDATION error's `extensions.fields` lands next to its input.
 * The browser checks nothing itself (forms are `noValidate`): the API's rules and messages are
 * the only ones, the same as the SDK and CLI get. Anything else is edited in the JSON view.
 */
export type FieldDef =
  | {
      readonly type: 'text' | 'number';
      readonly path: string;
      readonly label: string;
      readonly hint?: string;
    }
  | { readonly type: 'select'; readonly path: string; readonly label: string; readonly options: readonly string[] }
  | {
      readonly type: 'list';
      readonly path: string;
      readonly label: string;
      /** Item fields, with paths relative to one item. */
      readonly item: readonly FieldDef[];
      readonly newItem: () => Record<string, unknown>;
    };

export type FormKind =
  'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute';

const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'];
const listener: FieldDef[] = [
  { type: 'number', path: 'listeners[0].portMapping.port', label: 'Listener port' },
  { type: 'select', path: 'listeners[0].portMapping.protocol', label: 'Listener protocol', options: PROTOCOLS },
];

export const FORMS: Record<FormKind, { fields: readonly FieldDef[]; template: () => Spec }> = {
  mesh: {
    fields: [{ type: 'select', path: 'egressFilter.type', label: 'Egress filter', options: ['DROP_ALL', 'ALLOW_ALL'] }],
    template: () => ({ egressFilter: { type: 'DROP_ALL' } }),
  },
  virtualNode: {
    fields: [
      ...listener,
      { type: 'text', path: 'serviceDiscovery.dns.hostname', label: 'DNS hostname', hint: 'e.g. api.shop.local' },
      {
        type: 'list',
        path: 'backends',
        label: 'Backends (virtual services it calls)',
        item: [{ type: 'text', path: 'virtualService.virtualServiceName', label: 'Virtual service' }],
        newItem: () => ({ virtualService: { virtualServiceName: '' } }),
      },
    ],
    template: () => ({
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: '' } },
    }),
  },
  virtualService: {
    fields: [
      { type: 'text', path: 'provider.virtualRouter.virtualRouterName', label: 'Provider: virtual router' },
      { type: 'text', path: 'provider.virtualNode.virtualNodeName', label: 'Provider: virtual node' },
    ],
    // No provider until one is named (App Mesh allows a service without one).
    template: () => ({}),
  },
  virtualRouter: {
    fields: listener,
    template: () => ({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
  },
  route: {
    fields: [
      { type: 'text', path: 'httpRoute.match.prefix', label: 'Path prefix' },
      {
        type: 'list',
        path: 'httpRoute.action.weightedTargets',
        label: 'Weighted targets',
        item: [
          { type: 'text', path: 'virtualNode', label: 'Virtual node' },
          { type: 'number', path: 'weight', label: 'Weight' },
        ],
        newItem: () => ({ virtualNode: '', weight: 1 }),
      },
    ],
    template: () => ({
      httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: '', weight: 1 }] } },
    }),
  },
  virtualGateway: {
    fields: listener,
    template: () => ({ listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] }),
  },
  gatewayRoute: {
    fields: [
      { type: 'text', path: 'httpRoute.match.prefix', label: 'Path prefix' },
      {
        type: 'text',
        path: 'httpRoute.action.target.virtualService.virtualServiceName',
        label: 'Target virtual service',
      },
    ],
    template: () => ({
      httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: '' } } } },
    }),
  },
};
