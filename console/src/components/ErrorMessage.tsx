import { GqlError } from '../api/client';

/** An API error as the operator reads it: the API's own message, announced to screen readers. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const text = error instanceof Error ? error.message : String(error);
  const code = error instanceof GqlError ? error.code : undefined;
  return (
    <p class="error" role="alert">
      {code && code !== 'VALIDATION' ? <strong>{code}: </strong> : null}
      {text}
    </p>
  );
}
