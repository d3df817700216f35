import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { GqlError } from '../api/client';
import { createAccessKey, createApiToken, readAccount, revokeAccessKey, revokeApiToken } from '../api/account';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';

/** The caller's account: access keys and API tokens (a secret is shown once, when created). */
export function AccountPage() {
  const account = useAsync(readAccount, []);
  const [secret, setSecret] = useState<{ label: string; lines: [string, string][] } | undefined>();
  const [error, setError] = useState<unknown>(undefined);
  const [keyDescription, setKeyDescription] = useState('');
  const [tokenName, setTokenName] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Map<string, string>>(new Map());

  const act = async (what: () => Promise<void>) => {
    setError(undefined);
    setFieldErrors(new Map());
    try {
      await what();
      account.reload();
    } catch (e) {
      if (e instanceof GqlError && e.code === 'VALIDATION' && e.fieldErrors().size > 0) setFieldErrors(e.fieldErrors());
      else setError(e);
    }
  };

  return (
    <main id="main">
      <h1>Account</h1>
      <ErrorMessage error={account.error} />
      {account.data ? (
        <dl class="facts">
          <dt>Name</dt>
          <dd>{account.data.name}</dd>
          <dt>Account id</dt>
          <dd class="mono">{account.data.accountId}</dd>
          <dt>Plan</dt>
          <dd>{account.data.plan}</dd>
          <dt>Status</dt>
          <dd>{account.data.status}</dd>
        </dl>
      ) : null}
      {secret ? (
        <div class="card secret" role="alert">
          <h2>{secret.label}</h2>
          <p>Copy it now: it is shown only this once.</p>
          <dl class="facts">
            {secret.lines.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd class="mono">{v}</dd>
              </Fragment>
            ))}
          </dl>
          <button type="button" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </div>
      ) : null}
      <ErrorMessage error={error} />

      <h2>API tokens</h2>
      <form
        class="inline-form"
        noValidate
        aria-label="Create an API token"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const t = await createApiToken(tokenName);
            setTokenName('');
            setSecret({ label: 'New API token', lines: [['Token', t.token]] });
          });
        }}
      >
        <Field id="token-name" label="Token name" error={fieldErrors.get('name')}>
          {(aria) => (
            <input {...aria} type="text" value={tokenName} onInput={(e) => setTokenName(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="primary">
          Create API token
        </button>
      </form>
      <table>
        <caption class="visually-hidden">API tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(account.data?.apiTokens ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td class="mono">{t.prefix}…</td>
              <td>{t.status}</td>
              <td>{new Date(t.createdAt).toLocaleString()}</td>
              <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : '—'}</td>
              <td>
                {t.status === 'active' ? (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke API token ${t.name}`}
                    onClick={() => confirm(`Revoke API token ${t.name}?`) && void act(() => revokeApiToken(t.id))}
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Access keys (SigV4)</h2>
      <form
        class="inline-form"
        noValidate
        aria-label="Create an access key"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const k = await createAccessKey(keyDescription);
            setKeyDescription('');
            setSecret({
              label: 'New access key',
              lines: [
                ['Access key id', k.accessKeyId],
                ['Secret access key', k.secretAccessKey],
              ],
            });
          });
        }}
      >
        <Field id="key-description" label="Description (optional)" error={fieldErrors.get('description')}>
          {(aria) => (
            <input
              {...aria}
              type="text"
              value={keyDescription}
              onInput={(e) => setKeyDescription(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary">
          Create access key
        </button>
      </form>
      <table>
        <caption class="visually-hidden">Access keys</caption>
        <thead>
          <tr>
            <th scope="col">Access key id</th>
            <th scope="col">Description</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(account.data?.accessKeys ?? []).map((k) => (
            <tr key={k.accessKeyId}>
              <td class="mono">{k.accessKeyId}</td>
              <td>{k.description ?? '—'}</td>
              <td>{k.status}</td>
              <td>{new Date(k.createdAt).toLocaleString()}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : '—'}</td>
              <td>
                {k.status === 'active' ? (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke access key ${k.accessKeyId}`}
                    onClick={() =>
                      confirm(`Revoke access key ${k.accessKeyId}?`) && void act(() => revokeAccessKey(k.accessKeyId))
                    }
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
