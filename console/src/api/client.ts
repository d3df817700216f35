import { session } from './session';

export interface GqlErrorItem {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly fields?: readonly string[] };
}

/** A GraphQL answer with errors (or no answer): the API's messages, codes and field paths. */
export class GqlError extends Error {
  constructor(
    readonly errors: readonly GqlErrorItem[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('\n'));
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  /**
   * The API's message per field path (`spec.listeners[0].portMapping.port`, `virtualNodeName`), as
   * `extensions.fields` names them; a bootstrap's `input.` prefix is dropped so paths match the form's.
   * A message naming several fields ("a: …; b: …") is split so each field gets its own part.
   */
  fieldErrors(): Map<string, string> {
    const out = new Map<string, string>();
    for (const error of this.errors) {
      for (const raw of error.extensions?.fields ?? []) {
        const field = raw.replace(/^input\./, '');
        const part = error.message.split(/;\s+|\n/).find((p) => p.startsWith(`${raw}: `) || p.startsWith(`${field}: `));
        out.set(field, part ? part.slice(part.indexOf(': ') + 2) : error.message);
      }
    }
    return out;
  }
}

/** POSTs one operation to /graphql with the session's bearer token; resolves to `data`. */
export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token() ?? ''}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: GqlErrorItem[] } | null;
  if (body === null) throw new GqlError([{ message: `The server answered HTTP ${res.status}.` }], res.status);
  if (body.errors && body.errors.length > 0) {
    // A token revoked (or a tenant suspended) meanwhile: back to sign-in rather than error pages.
    if (res.status === 401) session.signOut();
    throw new GqlError(body.errors, res.status);
  }
  return body.data as T;
}
