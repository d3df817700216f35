/** What an AWS SDK call failed with: the error type the SDK parsed, its message and HTTP status. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** The error type an SDK call failed with, or 'succeeded'. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'succeeded';
  } catch (err) {
    return (err as Error).name;
  }
}
