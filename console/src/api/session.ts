/**
 * The signed-in credentials, in sessionStorage: they live as long as the tab and never reach
 * another tab or a later visit. Signing out removes both.
 */
const TENANT_KEY = 'meshplane.token';
const ADMIN_KEY = 'meshplane.adminToken';

type Listener = () => void;
const listeners = new Set<Listener>();
const changed = () => listeners.forEach((l) => l());

export const session = {
  token: (): string | null => sessionStorage.getItem(TENANT_KEY),
  adminToken: (): string | null => sessionStorage.getItem(ADMIN_KEY),
  signIn(token: string) {
    sessionStorage.setItem(TENANT_KEY, token);
    changed();
  },
  signInAdmin(token: string) {
    sessionStorage.setItem(ADMIN_KEY, token);
    changed();
  },
  signOut() {
    sessionStorage.removeItem(TENANT_KEY);
    sessionStorage.removeItem(ADMIN_KEY);
    changed();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
