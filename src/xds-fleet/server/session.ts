import type { CompiledManifest } from '../cache/compiled-mesh.js';
import type { OutboundMessage, XdsNode } from '../encoding/wire.js';
import type { ProxyIdentity } from '../identity/proxy-identity.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import type { MeshCache, MeshListener, ResolvedView } from './mesh-cache.js';

/**
 * The order changes are pushed in, so nothing is ever referenced before it exists
 * (make-before-break): clusters, then their endpoints and secrets, then listeners, then the route
 * configurations listeners use. Clusters that are no longer needed go last (see the sessions).
 */
export const PUSH_ORDER: readonly ResourceKindName[] = ['clusters', 'endpoints', 'secrets', 'listeners', 'routes'];

/** A resource as reported with a NACK: its name and the App Mesh object behind it. */
export interface ReportedResource {
  readonly name: string;
  readonly arn?: string;
}

/** Where a session reports what its proxy did: the session registry and the metrics. */
export interface SessionReporter {
  pushed(session: XdsSession, typeUrl: string, resources: number): void;
  acked(session: XdsSession, typeUrl: string, version: string): void;
  nacked(session: XdsSession, typeUrl: string, version: string, message: string, resources: ReportedResource[]): void;
  /**
   * The proxy holds everything the compile `manifest` has for it. `pushed` says whether that took a
   * push since the compile arrived (then commit→ACK latency is meaningful).
   */
  synced(session: XdsSession, manifest: CompiledManifest, pushed: boolean): void;
}

export interface SessionInit {
  readonly id: string;
  readonly identity: ProxyIdentity;
  readonly node: XdsNode;
  readonly portsKey: string;
  readonly cache: MeshCache;
  readonly reporter: SessionReporter;
  /** Writes one response to the stream (its body is usually shared with other streams). */
  readonly send: (message: OutboundMessage) => void;
}

/**
 * What state of the world and Delta sessions share: the stream's identity, its view of the mesh's
 * current compile, and the bookkeeping that tells when the proxy is in sync.
 */
export abstract class XdsSession implements MeshListener {
  readonly id: string;
  readonly identity: ProxyIdentity;
  readonly node: XdsNode;
  readonly portsKey: string;
  readonly cache: MeshCache;
  protected readonly reporter: SessionReporter;
  protected readonly send: (message: OutboundMessage) => void;
  private nonces = 0;
  /** The view resolved for the compile it belongs to: resolved once per compile, not per push. */
  private resolved: { readonly manifest: CompiledManifest; readonly view: ResolvedView | undefined } | undefined;
  /** The compile the proxy last fully held, and whether pushes happened since the current one arrived. */
  private syncedVersion: string | undefined;
  /** A compile arrived while connected: pushes from now on are propagation (what commit→ACK measures). */
  private changeArrived = false;
  private pushedSinceChange = false;

  constructor(init: SessionInit) {
    this.id = init.id;
    this.identity = init.identity;
    this.node = init.node;
    this.portsKey = init.portsKey;
    this.cache = init.cache;
    this.reporter = init.reporter;
    this.send = init.send;
  }

  abstract readonly protocol: 'sotw' | 'delta';

  protected nextNonce(): string {
    return (++this.nonces).toString(36);
  }

  /** The identity's view in the current compile; `undefined` while there is none (nothing is pushed then). */
  protected view(): ResolvedView | undefined {
    const manifest = this.cache.manifest;
    if (this.cache.deleted || !manifest) return undefined;
    if (this.resolved?.manifest !== manifest) {
      this.resolved = { manifest, view: this.cache.view(this.identity.kind, this.identity.name, this.portsKey) };
    }
    return this.resolved.view;
  }

  onMeshChanged(): void {
    this.changeArrived = true;
    this.push();
  }

  protected notePush(): void {
    if (this.changeArrived) this.pushedSinceChange = true;
  }

  /** Pushes whatever the proxy lacks, in {@link PUSH_ORDER}; then reports if it is in sync. */
  protected abstract push(): void;

  /** Called at the end of a push round with whether every subscribed type is delivered and ACKed. */
  protected settle(inSync: boolean): void {
    const manifest = this.cache.manifest;
    if (!inSync || !manifest || this.syncedVersion === manifest.version) return;
    this.syncedVersion = manifest.version;
    this.reporter.synced(this, manifest, this.pushedSinceChange);
    this.changeArrived = false;
    this.pushedSinceChange = false;
  }

  get synced(): string | undefined {
    return this.syncedVersion;
  }
}
