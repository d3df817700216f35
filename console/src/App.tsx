import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { ErrorMessage } from './components/ErrorMessage';
import { session } from './api/session';
import { AccountPage } from './pages/AccountPage';
import { AdminPage } from './pages/AdminPage';
import { MeshesPage } from './pages/MeshesPage';
import { MeshPage } from './pages/MeshPage';
import { SignIn } from './pages/SignIn';
import { navigate, usePath } from './router';

function useSession() {
  const [, setTick] = useState(0);
  useEffect(() => session.subscribe(() => setTick((t) => t + 1)), []);
  return { token: session.token(), adminToken: session.adminToken() };
}

export function App() {
  const path = usePath();
  const { token, adminToken } = useSession();
  const [section, ...rest] = path;
  // A page that fails to render shows why, and the header stays usable; navigating clears it.
  const [renderError, resetError] = useErrorBoundary();
  useEffect(() => resetError(), [path.join('/')]);
  const admin = section === 'admin';
  const signedIn = admin ? adminToken !== null : token !== null;

  // Move focus to the page's heading on navigation, so keyboard and screen-reader users start there.
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus({ preventScroll: true });
  }, [path.join('/')]);

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/meshes">
          meshplane
        </a>
        {signedIn ? (
          <nav aria-label="Main">
            {token !== null ? (
              <>
                <a href="#/meshes" aria-current={section === 'meshes' || !section ? 'page' : undefined}>
                  Meshes
                </a>
                <a href="#/account" aria-current={section === 'account' ? 'page' : undefined}>
                  Account
                </a>
              </>
            ) : null}
            {adminToken !== null ? (
              <a href="#/admin" aria-current={admin ? 'page' : undefined}>
                Operator
              </a>
            ) : null}
            <button
              type="button"
              onClick={() => {
                session.signOut();
                navigate();
              }}
            >
              Sign out
            </button>
          </nav>
        ) : null}
      </header>
      {renderError ? (
        <main id="main">
          <h1>Something went wrong</h1>
          <ErrorMessage error={renderError} />
        </main>
      ) : !signedIn ? (
        <SignIn admin={admin} />
      ) : admin ? (
        <AdminPage />
      ) : section === 'account' ? (
        <AccountPage />
      ) : section === 'meshes' && rest[0] ? (
        <MeshPage key={rest[0]} mesh={rest[0]} tab={rest[1] ?? 'topology'} rest={rest.slice(2)} />
      ) : (
        <MeshesPage />
      )}
    </>
  );
}
