import { hostNameKey } from '../../common/ids/host-name.js';

/**
 * Virtual host domains as Envoy compares them (common/ids/host-name.ts): Envoy 1.40 lower-cases
 * every domain of a route configuration with ASCII rules and refuses the whole configuration when
 * one repeats ("Only unique values for domains are permitted"), so every proxy given it NACKs.
 */
export const domainKey = hostNameKey;

/**
 * The domains one proxy's route configurations use, claimed service by service: a service whose
 * domain another already holds (a name differing only in letter case, `web:80` beside `web` on
 * port 80, `*` beside the allow-all host) is refused, whole, so no route configuration of the proxy
 * lists a domain twice and the first claimant keeps its routing.
 */
export interface DomainClash {
  readonly domain: string;
  readonly holder: string;
  readonly caseOnly: boolean;
}

export class DomainClaims {
  private readonly owners = new Map<string, { readonly owner: string; readonly domain: string }>();

  constructor(reserved: Readonly<Record<string, string>> = {}) {
    for (const [domain, owner] of Object.entries(reserved)) this.owners.set(domainKey(domain), { owner, domain });
  }

  /**
   * Claims `domains` for `owner`, or claims nothing and returns who holds one of them, which, and
   * whether the two spellings differ only in letter case.
   */
  claim(owner: string, domains: readonly string[]): DomainClash | undefined {
    for (const domain of domains) {
      const held = this.owners.get(domainKey(domain));
      if (held !== undefined && held.owner !== owner)
        return { domain, holder: held.owner, caseOnly: held.domain !== domain };
    }
    for (const domain of domains) this.owners.set(domainKey(domain), { owner, domain });
    return undefined;
  }
}
