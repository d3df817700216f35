import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage, structToJson } from './protos.js';

/**
 * The xDS wire format, assembled from pre-encoded resources. A resource is encoded once, when its
 * mesh is compiled; a response to one proxy is then only the concatenation of those bytes with a
 * version and a nonce (protobuf messages concatenate: an embedded message is its bytes behind a
 * tag and a length). Nothing is serialised per proxy, which is what lets one shard push a change
 * to thousands of proxies within a second.
 */

const LENGTH_DELIMITED = 2;
const tag = (field: number) => (field << 3) | LENGTH_DELIMITED;

/** A `google.protobuf.Any` holding an encoded message: what a DiscoveryResponse carries per resource. */
export function encodeAny(typeUrl: string, message: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32(tag(1)).string(typeUrl).uint32(tag(2)).bytes(message).finish();
}

/** Encodes a translator resource (proto3-JSON shape) straight into its `Any`. */
export function encodeResourceAny(typeUrl: string, resource: unknown): Uint8Array {
  return encodeAny(typeUrl, encodeMessage(typeUrl.slice(typeUrl.lastIndexOf('/') + 1), resource));
}

/**
 * `envoy.service.discovery.v3.DiscoveryResponse` {version_info=1, resources=2, type_url=4, nonce=5}
 * without its nonce: the same for every proxy that gets this version of this collection, so it is
 * built once and shared. {@link OutboundMessage} completes it per stream (field order is free in protobuf).
 */
export function discoveryResponseBody(versionInfo: string, typeUrl: string, resources: readonly Uint8Array[]): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(tag(1)).string(versionInfo);
  for (const any of resources) w.uint32(tag(2)).bytes(any);
  w.uint32(tag(4)).string(typeUrl);
  return Buffer.from(w.finish());
}

const NONCE_TAG = tag(5);

/**
 * One response to one stream: a body shared by every stream that gets the same response, then
 * this stream's nonce (field 5 of both DiscoveryResponse and DeltaDiscoveryResponse; fields may
 * come in any order). It is what the ADS service's response serialiser hands grpc-js, which reads
 * only `byteLength` and calls `copy(frame, 5)` to fill its length-prefixed frame (grpc-js 1.14
 * `ServerInterceptingCall.serializeMessage`): the body is copied once, straight into the frame,
 * instead of once to append the nonce and again to frame it. wire.spec.ts pins that contract.
 */
export class OutboundMessage {
  /** The nonce field: tag, length, then the nonce as ASCII (nonces are short base-36 counters). */
  private readonly nonceLength: number;

  constructor(
    readonly body: Uint8Array,
    readonly nonce: string,
  ) {
    if (nonce.length > 127 || !/^[\x20-\x7e]*$/.test(nonce)) throw new Error(`unsupported nonce ${nonce}`);
    this.nonceLength = 2 + nonce.length;
  }

  get byteLength(): number {
    return this.body.byteLength + this.nonceLength;
  }

  /** Writes the whole message into `target` at `targetStart` (Buffer#copy's signature); returns the bytes written. */
  copy(target: Uint8Array, targetStart = 0): number {
    target.set(this.body, targetStart);
    let at = targetStart + this.body.byteLength;
    target[at++] = NONCE_TAG;
    target[at++] = this.nonce.length;
    for (let i = 0; i < this.nonce.length; i++) target[at++] = this.nonce.charCodeAt(i);
    return this.byteLength;
  }

  /** The message as one buffer (tests, and anything that needs real bytes). */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength);
    this.copy(out, 0);
    return out;
  }
}

export function discoveryResponse(
  versionInfo: string,
  typeUrl: string,
  resources: readonly Uint8Array[],
  nonce: string,
): Buffer {
  return new OutboundMessage(discoveryResponseBody(versionInfo, typeUrl, resources), nonce).toBuffer();
}

export interface DeltaResource {
  readonly name: string;
  readonly version: string;
  /** The encoded `Any`. */
  readonly any: Uint8Array;
}

/** One `Resource` of a DeltaDiscoveryResponse {version=1, resource=2, name=3}: shareable between streams. */
export function deltaResource(r: DeltaResource): Uint8Array {
  return protobuf.Writer.create()
    .uint32(tag(1))
    .string(r.version)
    .uint32(tag(2))
    .bytes(r.any)
    .uint32(tag(3))
    .string(r.name)
    .finish();
}

/**
 * `envoy.service.discovery.v3.DeltaDiscoveryResponse` {system_version_info=1, resources=2,
 * type_url=4, removed_resources=6} from encoded `Resource`s ({@link deltaResource}), without its
 * nonce (5): shared by every stream that gets the same difference, completed by {@link OutboundMessage}.
 */
export function deltaDiscoveryResponseBody(
  systemVersionInfo: string,
  typeUrl: string,
  resources: readonly Uint8Array[],
  removed: readonly string[],
): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(tag(1)).string(systemVersionInfo);
  for (const r of resources) w.uint32(tag(2)).bytes(r);
  w.uint32(tag(4)).string(typeUrl);
  for (const name of removed) w.uint32(tag(6)).string(name);
  return Buffer.from(w.finish());
}

export function deltaDiscoveryResponse(
  systemVersionInfo: string,
  typeUrl: string,
  resources: readonly Uint8Array[],
  removed: readonly string[],
  nonce: string,
): Buffer {
  return new OutboundMessage(
    deltaDiscoveryResponseBody(systemVersionInfo, typeUrl, resources, removed),
    nonce,
  ).toBuffer();
}

/** The `node` of a request, as the server uses it. */
export interface XdsNode {
  readonly id: string;
  readonly cluster: string;
  readonly metadata: Record<string, unknown>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly sub_zone?: string };
  readonly userAgentName: string;
  readonly userAgentVersion: string;
}

export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

export interface DiscoveryRequest {
  readonly versionInfo: string;
  readonly node?: XdsNode;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

export interface DeltaDiscoveryRequest {
  readonly node?: XdsNode;
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  /** Versions the client already holds (first request of a reconnecting stream). */
  readonly initialVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

function nodeOf(raw: unknown): XdsNode | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const n = raw as Record<string, unknown>;
  return {
    id: String(n['id'] ?? ''),
    cluster: String(n['cluster'] ?? ''),
    metadata: n['metadata'] ? structToJson(n['metadata']) : {},
    ...(n['locality'] ? { locality: n['locality'] as XdsNode['locality'] } : {}),
    userAgentName: String(n['user_agent_name'] ?? ''),
    userAgentVersion: String(n['user_agent_version'] ?? ''),
  };
}

function errorOf(raw: unknown): ErrorDetail | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const e = raw as { code?: number; message?: string };
  return { code: e.code ?? 0, message: e.message ?? '' };
}

/** Decodes a DiscoveryRequest; throws on bytes that are not one (the stream then fails, not the process). */
export function decodeDiscoveryRequest(bytes: Uint8Array): DiscoveryRequest {
  const raw = decodeMessage('envoy.service.discovery.v3.DiscoveryRequest', bytes);
  const node = nodeOf(raw['node']);
  const errorDetail = errorOf(raw['error_detail']);
  return {
    versionInfo: String(raw['version_info'] ?? ''),
    resourceNames: (raw['resource_names'] as string[] | undefined) ?? [],
    typeUrl: String(raw['type_url'] ?? ''),
    responseNonce: String(raw['response_nonce'] ?? ''),
    ...(node ? { node } : {}),
    ...(errorDetail ? { errorDetail } : {}),
  };
}

export function decodeDeltaDiscoveryRequest(bytes: Uint8Array): DeltaDiscoveryRequest {
  const raw = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryRequest', bytes);
  const node = nodeOf(raw['node']);
  const errorDetail = errorOf(raw['error_detail']);
  return {
    typeUrl: String(raw['type_url'] ?? ''),
    subscribe: (raw['resource_names_subscribe'] as string[] | undefined) ?? [],
    unsubscribe: (raw['resource_names_unsubscribe'] as string[] | undefined) ?? [],
    initialVersions: (raw['initial_resource_versions'] as Record<string, string> | undefined) ?? {},
    responseNonce: String(raw['response_nonce'] ?? ''),
    ...(node ? { node } : {}),
    ...(errorDetail ? { errorDetail } : {}),
  };
}
