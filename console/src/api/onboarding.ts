import { gql } from './client';

export interface BootstrapOptions {
  readonly kind: 'virtualNode' | 'virtualGateway';
  readonly name: string;
  readonly format: 'ENVOY' | 'GRPC';
  readonly xdsHost?: string | undefined;
  readonly xdsPort?: number | undefined;
  readonly adminPort?: number | undefined;
  /** Virtual nodes only: where the proxy captures inbound and outbound traffic. */
  readonly ingressPort?: number | undefined;
  readonly egressPort?: number | undefined;
  readonly zone?: string | undefined;
}

export interface Bootstrap {
  readonly format: 'ENVOY' | 'GRPC';
  readonly contentType: string;
  readonly body: string;
  readonly tokenId: string;
}

/** Issues a bootstrap: every call mints a new proxy token, inside `body` only. */
export async function issueBootstrap(mesh: string, o: BootstrapOptions): Promise<Bootstrap> {
  const gateway = o.kind === 'virtualGateway';
  const op = gateway ? 'issueVirtualGatewayBootstrap' : 'issueVirtualNodeBootstrap';
  const input: Record<string, unknown> = {
    meshName: mesh,
    [gateway ? 'virtualGatewayName' : 'virtualNodeName']: o.name,
    format: o.format,
  };
  type Option = 'xdsHost' | 'xdsPort' | 'adminPort' | 'zone' | 'ingressPort' | 'egressPort';
  const keys: Option[] = [
    'xdsHost',
    'xdsPort',
    'adminPort',
    'zone',
    ...(gateway ? [] : (['ingressPort', 'egressPort'] as const)),
  ];
  for (const key of keys) if (o[key] !== undefined) input[key] = o[key];
  const data = await gql<Record<string, Bootstrap>>(
    `mutation($input: ${gateway ? 'VirtualGatewayBootstrapInput' : 'VirtualNodeBootstrapInput'}!) {
       ${op}(input: $input) { format contentType body tokenId } }`,
    { input },
  );
  return data[op]!;
}
