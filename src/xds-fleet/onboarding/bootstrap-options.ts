import { z } from 'zod';
import { badRequest } from '../../common/errors/domain-error.js';
import { HOST_RULE, isHost } from '../../common/validation/host.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { ADDRESS_RULE, endpointAddress } from '../endpoints/proxy-endpoint.js';
import type { ProxyKind } from '../identity/proxy-identity.js';
import { DEFAULT_PORTS } from '../translator/names.js';

export type BootstrapFormat = 'envoy' | 'grpc';

/** Where proxies reach the xDS fleet. */
export interface XdsAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** CA bundle that verifies the xDS fleet's certificate, when `tls`. */
  readonly caFile: string;
}

/** Everything a bootstrap depends on besides its resource and token; every field has a value. */
export interface BootstrapOptions {
  readonly format: BootstrapFormat;
  /** `node.locality.zone`; Envoy bootstraps leave the locality out when absent. */
  readonly zone?: string;
  readonly adminPort: number;
  /** The proxy's capture ports; virtual nodes only (a gateway's listeners come from its spec). */
  readonly ingressPort: number;
  readonly egressPort: number;
  /**
   * `node.metadata.meshplane.address`: where the proxy is reached, the endpoint it registers for
   * its virtual node (else the xDS server uses the address the stream comes from). Virtual nodes only.
   */
  readonly address?: string;
  readonly xds: XdsAddress;
}

/**
 * Where Debian, Ubuntu (Envoy's official image) and Alpine keep the system CA bundle. A fleet
 * behind a private CA names its bundle with `caFile`.
 */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const PORT_RULE = 'must be a TCP port (1-65535)';
const port = z.coerce.number({ error: PORT_RULE }).int(PORT_RULE).min(1, PORT_RULE).max(65535, PORT_RULE);

/**
 * The query parameters of the bootstrap endpoints. Strict: a misspelt parameter (`adminport`) is
 * a BadRequest rather than a bootstrap that silently ignored it.
 */
const bootstrapQuery = z.strictObject({
  format: z.enum(['envoy', 'grpc'], { error: 'must be envoy or grpc' }).optional(),
  zone: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'must be 1-128 letters, digits or . _ : / -')
    .optional(),
  adminPort: port.optional(),
  ingressPort: port.optional(),
  egressPort: port.optional(),
  address: z
    .string({ error: 'must be a string' })
    .refine((v) => endpointAddress(v) !== undefined, ADDRESS_RULE)
    .transform((v) => endpointAddress(v)!)
    .optional(),
  xdsHost: z.string({ error: 'must be a string' }).refine(isHost, HOST_RULE).optional(),
  xdsPort: port.optional(),
  tls: z.stringbool({ error: 'must be true or false' }).optional(),
  caFile: z
    .string({ error: 'must be a string' })
    .regex(/^\/[^\s\0]{0,1023}$/, 'must be an absolute path without spaces')
    .optional(),
});

/**
 * Reads the query of a bootstrap request (problems name the parameter under `where`: `query.format: ...`;
 * GraphQL passes its input argument's name) for a proxy of `kind` over the deployment's defaults
 * (`xds`, from XDS_PUBLIC_HOST, XDS_PUBLIC_PORT and XDS_PUBLIC_TLS). The proxy's own ports must
 * differ from each other: two listeners, or a listener and the admin interface, cannot share a
 * port. Virtual gateways take no ingress or egress port: their listeners are their spec's, and
 * they are compiled for the default egress port only.
 */
export function bootstrapOptions(
  query: unknown,
  xds: { host: string; port: number; tls: boolean },
  kind: ProxyKind = 'virtualNode',
  where = 'query',
): BootstrapOptions {
  const q = parseInput(bootstrapQuery, query ?? {}, where);
  if (kind === 'virtualGateway') {
    const given = (['ingressPort', 'egressPort'] as const)
      .filter((p) => q[p] !== undefined)
      .map((p) => `${where}.${p}`);
    if (given.length > 0)
      throw badRequest(
        `${given.join(', ')}: apply to virtual nodes only; a virtual gateway listens on its spec's ports`,
      );
    if (q.address !== undefined)
      throw badRequest(
        `${where}.address: applies to virtual nodes only; a virtual gateway is not an endpoint of a virtual node`,
      );
  }
  const options: BootstrapOptions = {
    format: q.format ?? 'envoy',
    ...(q.zone === undefined ? {} : { zone: q.zone }),
    adminPort: q.adminPort ?? DEFAULT_PORTS.admin,
    ingressPort: q.ingressPort ?? DEFAULT_PORTS.ingress,
    egressPort: q.egressPort ?? DEFAULT_PORTS.egress,
    ...(q.address === undefined ? {} : { address: q.address }),
    xds: {
      host: q.xdsHost ?? xds.host,
      port: q.xdsPort ?? xds.port,
      tls: q.tls ?? xds.tls,
      caFile: q.caFile ?? SYSTEM_CA_BUNDLE,
    },
  };
  const ports = { adminPort: options.adminPort, ingressPort: options.ingressPort, egressPort: options.egressPort };
  const clashes = Object.entries(ports).flatMap(([name, value], i, all) =>
    all
      .slice(i + 1)
      .flatMap(([other, otherValue]) => (value === otherValue ? [`${where}.${name} and ${where}.${other}`] : [])),
  );
  if (clashes.length > 0) throw badRequest(`${clashes.join('; ')}: must be different ports`);
  return options;
}
