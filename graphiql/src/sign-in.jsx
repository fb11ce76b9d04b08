// The "Sign in" pane: email and password (or one of the demo logins when
// the server runs with --demo); and the footer that puts `Authorization:
// Bearer …` into the Headers tab and keeps it fresh there as the session
// refreshes its token.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { useHeadersEditorState } from '@graphiql/react';

function withAuthorization(headersText, accessToken) {
  let headers = {};
  try {
    headers = JSON.parse(headersText || '{}');
  } catch {
    headers = {}; // the tab held no valid JSON; replace it
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'authorization') delete headers[name];
  }
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return JSON.stringify(headers, null, 2);
}

// Re-renders the caller whenever the session's token or error changes.
function useSession(session) {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => `${session.accessToken}|${session.error}`,
  );
}

// Under the response, whichever pane is open: who is signed in, and each
// new access token (sign-in or refresh) written into the current tab's
// Headers in place of the one there.
export function SessionFooter({ session }) {
  const version = useSession(session);
  const [headers, setHeaders] = useHeadersEditorState();
  useEffect(() => {
    if (session.accessToken && !headers.includes(session.accessToken)) {
      setHeaders(withAuthorization(headers, session.accessToken));
    }
  }, [version]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!session.accessToken) return null;
  return (
    <div className="careergraph-session" data-testid="session">
      Signed in as {session.email}; the token is refreshed before {session.expiresAt?.toLocaleTimeString()}.
    </div>
  );
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l8-8M16 7l3 3M14 9l2 2" />
    </svg>
  );
}

function SignInPane({ settings, session }) {
  useSession(session);
  const [headers, setHeaders] = useHeadersEditorState();
  const [email, setEmail] = useState(settings.demoLogins[0]?.email ?? '');
  const [password, setPassword] = useState(settings.demoLogins.length ? settings.demoPassword : '');
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    await session.signIn(email, password);
    setBusy(false);
  };
  const signOut = () => {
    session.signOut();
    setHeaders(withAuthorization(headers, null));
  };

  return (
    <div className="careergraph-sign-in">
      <div className="graphiql-doc-explorer-title">Sign in</div>
      {session.accessToken ? (
        <p data-testid="signed-in">
          Signed in as <strong>{session.email}</strong>. The Headers tab sends your token; it is
          refreshed before it expires (next at {session.expiresAt?.toLocaleTimeString()}).{' '}
          <button type="button" className="graphiql-button" onClick={signOut}>
            Sign out
          </button>
        </p>
      ) : (
        <form onSubmit={submit}>
          <label>
            Email
            <input name="email" type="email" autoComplete="username" value={email}
              onChange={(e) => setEmail(e.target.value)} required />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" value={password}
              onChange={(e) => setPassword(e.target.value)} required />
          </label>
          <button type="submit" className="graphiql-button" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      )}
      {session.error && <p className="careergraph-error" role="alert">{session.error}</p>}
      {settings.demoLogins.length > 0 && (
        <>
          <p>Demo logins (password “{settings.demoPassword}”):</p>
          <ul className="careergraph-demo-logins">
            {settings.demoLogins.map((login) => (
              <li key={login.email}>
                <button type="button" className="graphiql-button"
                  onClick={() => { setEmail(login.email); setPassword(settings.demoPassword); }}>
                  {login.email}
                </button>{' '}
                <small>{login.role}</small>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function signInPlugin(settings, session) {
  return {
    title: 'Sign in',
    icon: KeyIcon,
    content: () => <SignInPane settings={settings} session={session} />,
  };
}
