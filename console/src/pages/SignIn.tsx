import { useState } from 'preact/hooks';
import { session } from '../api/session';
import { Field } from '../components/Field';
import { useContentMark } from '../content-mark';

/**
 * Sign-in with a tenant API token (checked by asking the API for the account before it is kept),
 * or, for operators, with the admin token (checked against /admin/v1).
 */
export function SignIn({ admin }: { admin: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useContentMark('sign-in', !admin);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const value = token.trim();
    if (!value) {
      setError('Enter a token.');
      return;
    }
    setBusy(true);
    try {
      if (admin) {
        const res = await fetch('/admin/v1/plans', { headers: { authorization: `Bearer ${value}` } });
        if (!res.ok) throw new Error(res.status === 401 ? 'That admin token was refused.' : `HTTP ${res.status}`);
        session.signInAdmin(value);
      } else {
        const res = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${value}` },
          body: JSON.stringify({ query: '{ account { accountId } }' }),
        });
        const body = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
        if (!res.ok || !body || body.errors) throw new Error(body?.errors?.[0]?.message ?? `HTTP ${res.status}`);
        session.signIn(value);
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>{admin ? 'Operator sign-in' : 'Sign in to meshplane'}</h1>
      <form class="card" onSubmit={submit} noValidate aria-label={admin ? 'Operator sign-in' : 'Sign in'}>
        <Field
          id="token"
          label={admin ? 'Admin token' : 'API token'}
          error={error}
          hint={
            admin ? 'MESH_ADMIN_TOKEN of this deployment.' : 'A tenant API token (mpt_…). It is kept in this tab only.'
          }
        >
          {(aria) => (
            <input
              {...aria}
              type="password"
              autoComplete="off"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Sign in
          </button>
        </div>
      </form>
      <p>{admin ? <a href="#/">Tenant sign-in</a> : <a href="#/admin">Operator? Sign in with the admin token</a>}</p>
    </main>
  );
}
