import { useState } from 'preact/hooks';
import { createTenant, listPlans, listTenants, setSuspended, type TenantRow } from '../api/admin';
import { useAsync } from '../components/async';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';

/** The operator's view (admin token): tenants and their plans, the plans' quotas. Kept small. */
export function AdminPage() {
  // Pages of 100, appended by "Show more tenants"; a reload starts again from the first page.
  const [pages, setPages] = useState(1);
  const tenants = useAsync(async () => {
    const rows: TenantRow[] = [];
    let nextToken: string | undefined;
    for (let i = 0; i < pages; i++) {
      const page = await listTenants(nextToken);
      rows.push(...page.tenants);
      nextToken = page.nextToken;
      if (!nextToken) break;
    }
    return { tenants: rows, more: nextToken !== undefined };
  }, [pages]);
  const plans = useAsync(listPlans, []);
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>();
  const quotaNames = Object.keys(plans.data?.plans[0]?.quotas ?? {});

  return (
    <main id="main">
      <h1>Operator</h1>
      <ErrorMessage error={tenants.error ?? plans.error} />
      <h2>Tenants</h2>
      <form
        class="inline-form"
        noValidate
        aria-label="Create a tenant"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            const t = await createTenant(name, plan || (plans.data?.defaultPlan ?? 'standard'));
            setCreated({ name: t.name, token: t.apiToken.token });
            setName('');
            tenants.reload();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field id="tenant-name" label="Tenant name">
          {(aria) => <input {...aria} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field id="tenant-plan" label="Plan">
          {(aria) => (
            <select {...aria} value={plan || plans.data?.defaultPlan} onChange={(e) => setPlan(e.currentTarget.value)}>
              {(plans.data?.plans ?? []).map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" class="primary">
          Create tenant
        </button>
      </form>
      <ErrorMessage error={error} />
      {created ? (
        <p class="card secret" role="alert">
          API token of {created.name} (shown once): <span class="mono">{created.token}</span>
        </p>
      ) : null}
      <table>
        <caption class="visually-hidden">Tenants</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Account id</th>
            <th scope="col">Plan</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(tenants.data?.tenants ?? []).map((t) => (
            <tr key={t.accountId}>
              <td>{t.name}</td>
              <td class="mono">{t.accountId}</td>
              <td>{t.plan}</td>
              <td>{t.status}</td>
              <td>{new Date(t.createdAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      await setSuspended(t.accountId, t.status === 'active');
                      tenants.reload();
                    } catch (err) {
                      setError(err);
                    }
                  }}
                >
                  {t.status === 'active' ? 'Suspend' : 'Resume'}
                  <span class="visually-hidden"> {t.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tenants.data?.more ? (
        <button type="button" onClick={() => setPages(pages + 1)}>
          Show more tenants
        </button>
      ) : null}
      <h2>Plans</h2>
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">Plans and quotas</caption>
          <thead>
            <tr>
              <th scope="col">Quota</th>
              {(plans.data?.plans ?? []).map((p) => (
                <th scope="col" key={p.name}>
                  {p.name}
                  {p.name === plans.data?.defaultPlan ? ' (default)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {quotaNames.map((q) => (
              <tr key={q}>
                <th scope="row">{q}</th>
                {(plans.data?.plans ?? []).map((p) => (
                  <td key={p.name}>{p.quotas[q]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}
