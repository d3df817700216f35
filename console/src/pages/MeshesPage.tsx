import { createMesh, listMeshes } from '../api/meshes';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { SpecForm } from '../components/SpecForm';
import { href, navigate } from '../router';
import { TEMPLATES } from '../spec/forms';
import { useState } from 'preact/hooks';
import { useContentMark } from '../content-mark';

export function MeshesPage() {
  const meshes = useAsync(listMeshes, []);
  const [creating, setCreating] = useState(false);
  useContentMark('meshes', meshes.data !== undefined);
  return (
    <main id="main">
      <div class="row-between">
        <h1>Meshes</h1>
        <button type="button" class="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          Create mesh
        </button>
      </div>
      {creating ? (
        <SpecForm
          title="Create mesh"
          names={[{ arg: 'meshName', label: 'Name', value: '', readOnly: false }]}
          kind="mesh"
          initial={TEMPLATES.mesh()}
          submitLabel="Create"
          onCancel={() => setCreating(false)}
          onSubmit={async (names, spec) => {
            await createMesh(names['meshName'] ?? '', spec);
            navigate('meshes', names['meshName'] ?? '', 'topology');
          }}
        />
      ) : null}
      <ErrorMessage error={meshes.error} />
      {meshes.data && meshes.data.length === 0 ? <p>No meshes yet: create one.</p> : null}
      {meshes.data && meshes.data.length > 0 ? (
        <table>
          <caption class="visually-hidden">Meshes</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Proxies</th>
              <th scope="col">Propagation</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {meshes.data.map((m) => (
              <tr key={m.name}>
                <td>
                  <a href={href('meshes', m.name, 'topology')}>{m.name}</a>
                </td>
                <td>{m.propagation.proxies.connected}</td>
                <td>{m.propagation.inSync ? 'in sync' : 'propagating'}</td>
                <td>{new Date(m.lastUpdatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
