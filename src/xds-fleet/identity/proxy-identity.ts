/** The two kinds of App Mesh resource a proxy can run as. */
export type ProxyKind = 'virtualNode' | 'virtualGateway';

/**
 * Who an xDS stream is: one tenant, one mesh, one virtual node or virtual gateway. A proxy token
 * resolves to exactly one identity; the stream is served that identity's view and nothing else.
 */
export interface ProxyIdentity {
  readonly tenantId: string;
  readonly accountId: string;
  readonly meshId: string;
  readonly meshName: string;
  readonly kind: ProxyKind;
  readonly name: string;
  /** The proxy token's id (never the secret): shown in the session registry. */
  readonly tokenId: string;
}
