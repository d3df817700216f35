/**
 * Endpoint overrides a tenant may give (EC2_SYNC_ALLOWED_ENDPOINTS): exact origins only. The
 * worker signs requests to the endpoint and reports what answers, so an override is an address
 * the operator chose, never one a tenant invents (docs/adr/0022-ec2-sync-sources.md).
 */
export function allowedEndpoints(setting: string): ReadonlySet<string> {
  return new Set(
    setting
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  );
}

export function endpointAllowed(allowed: ReadonlySet<string>, endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    // The override is the origin: a path would be sent to a server the operator did not list.
    return allowed.has(url.origin) && (url.pathname === '/' || url.pathname === '') && url.search === '';
  } catch {
    return false;
  }
}
