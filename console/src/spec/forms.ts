import type { FormKindId } from '../../../src/meshes/api-model/form-schema-format.js';
import type { Spec } from './access';

export type FormKind = FormKindId;

/**
 * The spec a create form starts from, per kind: what most resources of the kind set, so the
 * common case is a name and a few values. Every member of the spec is in the form, generated from
 * the App Mesh model (console/src/forms, ADR 0027); these are only starting values.
 */
export const TEMPLATES: Record<FormKind, () => Spec> = {
  mesh: () => ({ egressFilter: { type: 'DROP_ALL' } }),
  virtualNode: () => ({
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: '' } },
  }),
  // No provider until one is named (App Mesh allows a service without one).
  virtualService: () => ({}),
  virtualRouter: () => ({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
  route: () => ({
    httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: '', weight: 1 }] } },
  }),
  virtualGateway: () => ({ listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] }),
  gatewayRoute: () => ({
    httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: '' } } } },
  }),
};
