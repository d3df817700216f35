import { session } from './session';

/** The operator API (/admin/v1), REST with the admin token: the console's admin view only. */
async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${session.adminToken() ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const message = (parsed as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`;
    throw Object.assign(new Error(message), { status: res.status, type: res.headers.get('x-amzn-ErrorType') });
  }
  return parsed as T;
}

export interface TenantRow {
  readonly accountId: string;
  readonly name: string;
  readonly plan: string;
  readonly status: string;
  readonly createdAt: string;
}
export interface Plan {
  readonly name: string;
  readonly quotas: Record<string, number>;
}

export const listTenants = (nextToken?: string) =>
  admin<{ tenants: TenantRow[]; nextToken?: string }>(
    'GET',
    `/tenants?limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
  );
export const listPlans = () => admin<{ defaultPlan: string; plans: Plan[] }>('GET', '/plans');
export const createTenant = (name: string, plan: string) =>
  admin<TenantRow & { apiToken: { token: string } }>('POST', '/tenants', { name, plan });
export const setSuspended = (accountId: string, suspended: boolean) =>
  admin<TenantRow>('POST', `/tenants/${encodeURIComponent(accountId)}/${suspended ? 'suspend' : 'resume'}`);
