import { KINDS, kindById, type KindDef } from '../api/kinds';
import { deleteResource, listResources, saveResource } from '../api/resources';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { JsonView } from '../components/JsonView';
import { SpecForm, type NameField } from '../components/SpecForm';
import { ProxyTokens } from '../components/ProxyTokens';
import { TrafficShift } from '../components/TrafficShift';
import { href, navigate } from '../router';
import { TEMPLATES } from '../spec/forms';
import { useState } from 'preact/hooks';

/** #/meshes/M/resources/KIND[/new | /NAME | /PARENT/NAME] */
export function ResourcesTab({ mesh, rest }: { mesh: string; rest: string[] }) {
  const kind = kindById(rest[0] ?? '') ?? KINDS[0]!;
  const [, a, b] = rest;
  return (
    <div class="resources">
      <nav class="kind-nav" aria-label="Resource kinds">
        {KINDS.map((k) => (
          <a
            key={k.id}
            href={href('meshes', mesh, 'resources', k.id)}
            aria-current={k.id === kind.id ? 'page' : undefined}
          >
            {k.plural}
          </a>
        ))}
      </nav>
      <section class="kind-body">
        {a === 'new' ? (
          <CreateResource mesh={mesh} kind={kind} />
        ) : a !== undefined ? (
          <ResourcePage
            mesh={mesh}
            kind={kind}
            name={kind.parent ? (b ?? '') : a}
            parent={kind.parent ? a : undefined}
          />
        ) : (
          <ResourceList mesh={mesh} kind={kind} />
        )}
      </section>
    </div>
  );
}

function pathOf(mesh: string, r: { kind: string; name: string; parent?: string | undefined }): string {
  return href('meshes', mesh, 'resources', r.kind, ...(r.parent !== undefined ? [r.parent] : []), r.name);
}

function ResourceList({ mesh, kind }: { mesh: string; kind: KindDef }) {
  const list = useAsync(() => listResources(mesh, kind), [mesh, kind.id]);
  return (
    <>
      <div class="row-between">
        <h2>{kind.plural}</h2>
        <a class="button primary" href={href('meshes', mesh, 'resources', kind.id, 'new')}>
          Create {kind.label.toLowerCase()}
        </a>
      </div>
      <ErrorMessage error={list.error} />
      {list.data && list.data.length === 0 ? <p>No {kind.plural.toLowerCase()} yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <table>
          <caption class="visually-hidden">{kind.plural}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {kind.parent ? <th scope="col">{kind.parent.kind === 'virtualRouter' ? 'Router' : 'Gateway'}</th> : null}
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((r) => (
              <tr key={`${r.parent ?? ''}/${r.name}`}>
                <td>
                  <a href={pathOf(mesh, r)}>{r.name}</a>
                </td>
                {kind.parent ? <td>{r.parent}</td> : null}
                <td>{r.version}</td>
                <td>{new Date(r.lastUpdatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function useParentOptions(mesh: string, kind: KindDef) {
  const parent = kind.parent ? kindById(kind.parent.kind)! : undefined;
  return useAsync(async () => (parent ? (await listResources(mesh, parent)).map((r) => r.name) : []), [mesh, kind.id]);
}

function CreateResource({ mesh, kind }: { mesh: string; kind: KindDef }) {
  const parents = useParentOptions(mesh, kind);
  if (kind.parent && !parents.data) return <ErrorMessage error={parents.error} />;
  const names: NameField[] = [
    ...(kind.parent
      ? [
          {
            arg: kind.parent.arg,
            label: kind.parent.kind === 'virtualRouter' ? 'Virtual router' : 'Virtual gateway',
            value: '',
            readOnly: false,
            options: parents.data ?? [],
          },
        ]
      : []),
    { arg: kind.nameArg, label: 'Name', value: '', readOnly: false },
  ];
  return (
    <SpecForm
      title={`Create ${kind.label.toLowerCase()}`}
      names={names}
      kind={kind.id}
      initial={TEMPLATES[kind.id]()}
      submitLabel="Create"
      onCancel={() => navigate('meshes', mesh, 'resources', kind.id)}
      onSubmit={async (values, spec) => {
        const parent = kind.parent ? values[kind.parent.arg] : undefined;
        const saved = await saveResource('create', mesh, kind, values[kind.nameArg] ?? '', parent, spec);
        location.hash = pathOf(mesh, saved);
      }}
    />
  );
}

function ResourcePage({ mesh, kind, name, parent }: { mesh: string; kind: KindDef; name: string; parent?: string }) {
  const list = useAsync(() => listResources(mesh, kind), [mesh, kind.id]);
  const [editing, setEditing] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(undefined);
  if (list.error) return <ErrorMessage error={list.error} />;
  if (!list.data) return <p aria-busy="true">Loading…</p>;
  const resource = list.data.find((r) => r.name === name && r.parent === parent);
  if (!resource)
    return (
      <p role="alert">
        No {kind.label.toLowerCase()} named {name} in this mesh.
      </p>
    );
  const names: NameField[] = [
    ...(kind.parent && parent !== undefined
      ? [
          {
            arg: kind.parent.arg,
            label: kind.parent.kind === 'virtualRouter' ? 'Virtual router' : 'Virtual gateway',
            value: parent,
            readOnly: true,
          },
        ]
      : []),
    { arg: kind.nameArg, label: 'Name', value: name, readOnly: true },
  ];
  return (
    <>
      <div class="row-between">
        <h2>
          {kind.label}{' '}
          <span class="mono">
            {parent !== undefined ? `${parent}/` : ''}
            {name}
          </span>
        </h2>
        <div class="actions">
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
            {editing ? 'Close editor' : 'Edit'}
          </button>
          <button
            type="button"
            class="danger"
            onClick={async () => {
              if (!confirm(`Delete ${kind.label.toLowerCase()} ${name}?`)) return;
              try {
                await deleteResource(mesh, kind, name, parent);
                navigate('meshes', mesh, 'resources', kind.id);
              } catch (e) {
                setDeleteError(e);
              }
            }}
          >
            Delete
          </button>
        </div>
      </div>
      <ErrorMessage error={deleteError} />
      <dl class="facts">
        <dt>ARN</dt>
        <dd class="mono">{resource.arn}</dd>
        <dt>Version</dt>
        <dd>{resource.version}</dd>
        <dt>Updated</dt>
        <dd>{new Date(resource.lastUpdatedAt).toLocaleString()}</dd>
      </dl>
      {kind.id === 'route' ? <TrafficShift mesh={mesh} route={resource} onApplied={list.reload} /> : null}
      {editing ? (
        <SpecForm
          key={resource.version}
          title={`Edit ${kind.label.toLowerCase()} ${name}`}
          names={names}
          kind={kind.id}
          initial={resource.spec}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onSubmit={async (_values, spec) => {
            await saveResource('update', mesh, kind, name, parent, spec);
            setEditing(false);
            list.reload();
          }}
        />
      ) : null}
      <h3>Spec</h3>
      <JsonView value={resource.spec} label={`Spec of ${name} (JSON)`} />
      {kind.id === 'virtualNode' || kind.id === 'virtualGateway' ? (
        <ProxyTokens mesh={mesh} kind={kind.id} name={name} />
      ) : null}
    </>
  );
}
