import { useState } from 'preact/hooks';
import { listProxyTokens, revokeProxyToken } from '../api/proxy-tokens';
import { useAsync } from './async';
import { ErrorMessage } from './ErrorMessage';

/** The proxy tokens of a virtual node or gateway (one per bootstrap issued), each revocable. */
export function ProxyTokens({
  mesh,
  kind,
  name,
}: {
  mesh: string;
  kind: 'virtualNode' | 'virtualGateway';
  name: string;
}) {
  const tokens = useAsync(() => listProxyTokens(mesh, kind, name), [mesh, kind, name]);
  const [error, setError] = useState<unknown>(undefined);
  return (
    <section aria-labelledby="tokens-heading">
      <h3 id="tokens-heading">Proxy tokens</h3>
      <ErrorMessage error={tokens.error ?? error} />
      {tokens.data && tokens.data.length === 0 ? (
        <p>No proxy token: issue a bootstrap from the Onboarding tab.</p>
      ) : null}
      {tokens.data && tokens.data.length > 0 ? (
        <table>
          <caption class="visually-hidden">Proxy tokens</caption>
          <thead>
            <tr>
              <th scope="col">Token id</th>
              <th scope="col">Issued</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td class="mono">{t.id}</td>
                <td>{new Date(t.createdAt).toLocaleString()}</td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : '—'}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke proxy token ${t.id}`}
                    onClick={async () => {
                      if (!confirm('Revoke this proxy token? Proxies using it disconnect at once.')) return;
                      try {
                        await revokeProxyToken(t.id);
                        tokens.reload();
                      } catch (e) {
                        setError(e);
                      }
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
