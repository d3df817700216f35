import { useEffect, useState } from 'preact/hooks';
import { kindByTopology } from '../api/kinds';
import { deleteMesh, meshProxies, meshSpec, meshTopology, updateMesh, type TopologyNode } from '../api/meshes';
import { watchPropagation, type Propagation } from '../api/propagation';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { JsonView } from '../components/JsonView';
import { SpecForm } from '../components/SpecForm';
import { TopologyGraph } from '../components/TopologyGraph';
import { href, navigate } from '../router';
import { TEMPLATES } from '../spec/forms';
import { OnboardingTab } from './OnboardingTab';
import { ResourcesTab } from './ResourcesTab';

const TABS = [
  ['topology', 'Topology'],
  ['resources', 'Resources'],
  ['proxies', 'Proxies'],
  ['onboarding', 'Onboarding'],
  ['settings', 'Settings'],
] as const;

export function MeshPage({ mesh, tab, rest }: { mesh: string; tab: string; rest: string[] }) {
  const current = TABS.some(([id]) => id === tab) ? tab : 'topology';
  return (
    <main id="main">
      <div class="row-between">
        <h1>
          Mesh <span class="mono">{mesh}</span>
        </h1>
        <PropagationBadge mesh={mesh} />
      </div>
      <nav class="tabs-nav" aria-label="Mesh sections">
        {TABS.map(([id, label]) => (
          <a key={id} href={href('meshes', mesh, id)} aria-current={id === current ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {current === 'topology' ? <TopologyTab mesh={mesh} /> : null}
      {current === 'resources' ? <ResourcesTab mesh={mesh} rest={rest} /> : null}
      {current === 'proxies' ? <ProxiesTab mesh={mesh} /> : null}
      {current === 'onboarding' ? <OnboardingTab mesh={mesh} /> : null}
      {current === 'settings' ? <SettingsTab mesh={mesh} /> : null}
    </main>
  );
}

/** The mesh's propagation at a glance, kept current by the propagation watch. */
function PropagationBadge({ mesh }: { mesh: string }) {
  const [p, setP] = useState<Propagation | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => watchPropagation(mesh, setP, setError), [mesh]);
  if (error) return <ErrorMessage error={error} />;
  if (!p) return null;
  const { connected, inSync, withNack } = p.proxies;
  return (
    <p class={p.inSync ? 'badge ok' : 'badge pending'} role="status" aria-live="polite">
      {p.inSync ? 'In sync' : 'Propagating'} · {inSync} of {connected} proxies up to date
      {withNack > 0 ? ` · ${withNack} NACKed` : ''}
    </p>
  );
}

function topologyHref(mesh: string, node: TopologyNode): string {
  const kind = kindByTopology(node.kind);
  if (!kind) return href('meshes', mesh, 'resources');
  // Routes and gateway routes: `KIND/parent/name`.
  const parts = node.id.split('/');
  return kind.parent
    ? href('meshes', mesh, 'resources', kind.id, parts[1] ?? '', node.name)
    : href('meshes', mesh, 'resources', kind.id, node.name);
}

function TopologyTab({ mesh }: { mesh: string }) {
  const topology = useAsync(() => meshTopology(mesh), [mesh]);
  return (
    <section aria-labelledby="topology-heading">
      <div class="row-between">
        <h2 id="topology-heading">Topology</h2>
        <button type="button" onClick={topology.reload}>
          Refresh
        </button>
      </div>
      <p class="hint">
        Traffic flows left to right: gateways → gateway routes → services → routers → routes → nodes → backends. Select
        a resource to open it.
      </p>
      <ErrorMessage error={topology.error} />
      {topology.data ? (
        <div class="graph-scroll">
          <TopologyGraph
            nodes={topology.data.nodes}
            edges={topology.data.edges}
            proxies={topology.data.proxies}
            hrefOf={(n) => topologyHref(mesh, n)}
          />
        </div>
      ) : null}
    </section>
  );
}

function ProxiesTab({ mesh }: { mesh: string }) {
  const proxies = useAsync(() => meshProxies(mesh), [mesh]);
  return (
    <section aria-labelledby="proxies-heading">
      <div class="row-between">
        <h2 id="proxies-heading">Connected proxies</h2>
        <button type="button" onClick={proxies.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={proxies.error} />
      {proxies.data && proxies.data.length === 0 ? <p>No proxy is connected to this mesh.</p> : null}
      {proxies.data && proxies.data.length > 0 ? (
        <table>
          <caption class="visually-hidden">Connected proxies</caption>
          <thead>
            <tr>
              <th scope="col">Runs as</th>
              <th scope="col">Client</th>
              <th scope="col">Protocol</th>
              <th scope="col">Connected</th>
              <th scope="col">Synced version</th>
              <th scope="col">State</th>
              <th scope="col">Last NACK</th>
            </tr>
          </thead>
          <tbody>
            {proxies.data.map((p) => (
              <tr key={`${p.nodeId}-${p.connectedAt}`}>
                <td>
                  {p.kind} <strong>{p.name}</strong>
                </td>
                <td class="mono">{p.userAgent}</td>
                <td>{p.protocol}</td>
                <td>{new Date(p.connectedAt).toLocaleTimeString()}</td>
                <td class="mono">{p.syncedVersion ?? '—'}</td>
                <td>{p.inSync ? 'in sync' : 'out of sync'}</td>
                <td>
                  {p.lastNack ? (
                    <details>
                      <summary>{new Date(p.lastNack.at).toLocaleTimeString()}</summary>
                      <p class="mono">{p.lastNack.typeUrl}</p>
                      <pre class="nack">{p.lastNack.message}</pre>
                    </details>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function SettingsTab({ mesh }: { mesh: string }) {
  const spec = useAsync(() => meshSpec(mesh), [mesh]);
  const [error, setError] = useState<unknown>(undefined);
  if (spec.error) return <ErrorMessage error={spec.error} />;
  if (!spec.data) return <p aria-busy="true">Loading…</p>;
  return (
    <section>
      <SpecForm
        key={JSON.stringify(spec.data)}
        title={`Mesh ${mesh}`}
        names={[{ arg: 'meshName', label: 'Name', value: mesh, readOnly: true }]}
        kind="mesh"
        initial={spec.data}
        submitLabel="Save"
        onSubmit={async (_names, next) => {
          await updateMesh(mesh, next);
          spec.reload();
        }}
      />
      <h3>Spec</h3>
      <JsonView value={spec.data} label="Mesh spec (JSON)" />
      <h3>Delete</h3>
      <p>A mesh can be deleted once it is empty.</p>
      <button
        type="button"
        class="danger"
        onClick={async () => {
          if (!confirm(`Delete mesh ${mesh}?`)) return;
          try {
            await deleteMesh(mesh);
            navigate('meshes');
          } catch (e) {
            setError(e);
          }
        }}
      >
        Delete mesh
      </button>
      <ErrorMessage error={error} />
    </section>
  );
}
