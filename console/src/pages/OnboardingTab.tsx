import { useEffect, useState } from 'preact/hooks';
import { GqlError } from '../api/client';
import { kindById } from '../api/kinds';
import { issueBootstrap, type Bootstrap } from '../api/onboarding';
import { listResources } from '../api/resources';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';

const PORT_FIELDS = ['xdsPort', 'adminPort', 'ingressPort', 'egressPort'] as const;
type PortField = (typeof PORT_FIELDS)[number];
const PORT_LABELS: Record<PortField, string> = {
  xdsPort: 'xDS port (optional)',
  adminPort: 'Envoy admin port (optional)',
  ingressPort: 'Inbound capture port (optional)',
  egressPort: 'Outbound capture port (optional)',
};

/** A bootstrap for a node or gateway, downloaded once, with the commands that run it. */
export function OnboardingTab({ mesh }: { mesh: string }) {
  const targets = useAsync(async () => {
    const [nodes, gateways] = await Promise.all([
      listResources(mesh, kindById('virtualNode')!),
      listResources(mesh, kindById('virtualGateway')!),
    ]);
    return [
      ...nodes.map((r) => ({ value: `virtualNode/${r.name}`, label: `Virtual node ${r.name}` })),
      ...gateways.map((r) => ({ value: `virtualGateway/${r.name}`, label: `Virtual gateway ${r.name}` })),
    ];
  }, [mesh]);
  const [target, setTarget] = useState('');
  const [format, setFormat] = useState<'ENVOY' | 'GRPC'>('ENVOY');
  const [xdsHost, setXdsHost] = useState('');
  const [ports, setPorts] = useState<Record<PortField, string>>({
    xdsPort: '',
    adminPort: '',
    ingressPort: '',
    egressPort: '',
  });
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [general, setGeneral] = useState<unknown>(undefined);
  const [issued, setIssued] = useState<{ bootstrap: Bootstrap; url: string; file: string; name: string } | undefined>();
  useEffect(() => () => issued && URL.revokeObjectURL(issued.url), [issued]);

  const issue = async (event: Event) => {
    event.preventDefault();
    setErrors(new Map());
    setGeneral(undefined);
    const [kind, name] = target.split('/') as ['virtualNode' | 'virtualGateway', string];
    if (!target) {
      setErrors(new Map([['target', 'Choose a virtual node or gateway.']]));
      return;
    }
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    // GraphQL's Int refuses anything else before the API's own rules run: say so here, per field.
    const notInts = PORT_FIELDS.filter((k) => {
      const v = num(ports[k]);
      return v !== undefined && !Number.isInteger(v);
    });
    if (notInts.length > 0) {
      setErrors(new Map(notInts.map((k) => [k, 'must be a whole number'])));
      return;
    }
    try {
      const bootstrap = await issueBootstrap(mesh, {
        kind,
        name,
        format,
        xdsHost: xdsHost.trim() || undefined,
        xdsPort: num(ports.xdsPort),
        adminPort: format === 'ENVOY' ? num(ports.adminPort) : undefined,
        ingressPort: format === 'ENVOY' && kind === 'virtualNode' ? num(ports.ingressPort) : undefined,
        egressPort: format === 'ENVOY' && kind === 'virtualNode' ? num(ports.egressPort) : undefined,
      });
      const file = format === 'ENVOY' ? `envoy-${name}.yaml` : `xds-bootstrap-${name}.json`;
      const url = URL.createObjectURL(new Blob([bootstrap.body], { type: bootstrap.contentType }));
      setIssued({ bootstrap, url, file, name });
    } catch (e) {
      if (e instanceof GqlError && e.code === 'VALIDATION' && e.fieldErrors().size > 0) setErrors(e.fieldErrors());
      else setGeneral(e);
    }
  };

  return (
    <section aria-labelledby="onboarding-heading">
      <h2 id="onboarding-heading">Onboard a proxy</h2>
      <p class="hint">
        Each bootstrap carries a new proxy token, shown only in the file: download it now. Revoke tokens you no longer
        use from the resource's page.
      </p>
      <ErrorMessage error={targets.error} />
      <form class="card" onSubmit={issue} noValidate aria-label="Issue a bootstrap">
        <Field id="bootstrap-target" label="Runs as" error={errors.get('target')}>
          {(aria) => (
            <select {...aria} value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {(targets.data ?? []).map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend>Format</legend>
          <label class="inline">
            <input type="radio" name="format" checked={format === 'ENVOY'} onChange={() => setFormat('ENVOY')} /> Envoy
            (YAML)
          </label>
          <label class="inline">
            <input type="radio" name="format" checked={format === 'GRPC'} onChange={() => setFormat('GRPC')} />{' '}
            Proxyless gRPC (JSON)
          </label>
        </fieldset>
        <Field id="bootstrap-xdsHost" label="xDS host (optional)" error={errors.get('xdsHost')}>
          {(aria) => <input {...aria} type="text" value={xdsHost} onInput={(e) => setXdsHost(e.currentTarget.value)} />}
        </Field>
        {PORT_FIELDS.filter(
          (k) =>
            k === 'xdsPort' || (format === 'ENVOY' && (k === 'adminPort' || !target.startsWith('virtualGateway/'))),
        ).map((k) => (
          <Field key={k} id={`bootstrap-${k}`} label={PORT_LABELS[k]} error={errors.get(k)}>
            {(aria) => (
              <input
                {...aria}
                type="text"
                inputMode="numeric"
                value={ports[k]}
                onInput={(e) => setPorts({ ...ports, [k]: e.currentTarget.value })}
              />
            )}
          </Field>
        ))}
        <ErrorMessage error={general} />
        <div class="actions">
          <button type="submit" class="primary">
            Issue bootstrap
          </button>
        </div>
      </form>
      {issued ? (
        <div class="card" aria-live="polite">
          <p>
            <a class="button primary" href={issued.url} download={issued.file}>
              Download {issued.file}
            </a>{' '}
            <span class="hint">proxy token {issued.bootstrap.tokenId}</span>
          </p>
          <Commands format={issued.bootstrap.format} file={issued.file} name={issued.name} mesh={mesh} />
        </div>
      ) : null}
    </section>
  );
}

function Commands({
  format,
  file,
  name,
  mesh,
}: {
  format: 'ENVOY' | 'GRPC';
  file: string;
  name: string;
  mesh: string;
}) {
  if (format === 'GRPC')
    return (
      <>
        <h3>On a VM</h3>
        <pre class="command">{`GRPC_XDS_BOOTSTRAP=$PWD/${file} node app.js`}</pre>
        <h3>In a container</h3>
        <pre class="command">{`docker run -d --name ${name} --network host \\
  -v "$PWD/${file}:/etc/meshplane/${file}:ro" \\
  -e GRPC_XDS_BOOTSTRAP=/etc/meshplane/${file} your-app-image`}</pre>
        <h3>On a Fargate-style task</h3>
        <pre class="command">{`{
  "name": "${name}",
  "image": "your-app-image",
  "secrets": [{ "name": "GRPC_XDS_BOOTSTRAP_CONFIG", "valueFrom": "arn:aws:secretsmanager:…:secret:meshplane/${mesh}/${name}/xds" }]
}`}</pre>
      </>
    );
  return (
    <>
      <h3>On a VM</h3>
      <pre class="command">{`sudo install -D -m 0400 -o envoy ${file} /etc/meshplane/envoy.yaml
envoy -c /etc/meshplane/envoy.yaml --log-level info`}</pre>
      <h3>In a container</h3>
      <pre class="command">{`sudo chown 101 ${file} && sudo chmod 0400 ${file}
docker run -d --name envoy-${name} --restart unless-stopped --network host \\
  -v "$PWD/${file}:/etc/envoy/envoy.yaml:ro" envoyproxy/envoy:v1.40-latest`}</pre>
      <h3>On a Fargate-style task</h3>
      <pre class="command">{`aws secretsmanager create-secret --name meshplane/${mesh}/${name}/envoy --secret-string file://${file}

{
  "name": "envoy",
  "image": "envoyproxy/envoy:v1.40-latest",
  "essential": true,
  "entryPoint": ["sh", "-c", "exec envoy --config-yaml \\"$ENVOY_BOOTSTRAP\\" --log-level info"],
  "secrets": [{ "name": "ENVOY_BOOTSTRAP", "valueFrom": "arn:aws:secretsmanager:…:secret:meshplane/${mesh}/${name}/envoy" }]
}`}</pre>
      <p class="hint">More in docs/onboarding.md.</p>
    </>
  );
}
