import { useState } from 'preact/hooks';
import { ApiError } from '../api';

/** The sign-in form: a console token (the admin token or a per-user one), checked by the daemon. */
export function SignIn(props: { onSignIn: (token: string) => Promise<void>; notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Enter your console token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await props.onSignIn(value);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? 'That token was not accepted. Check it and try again.'
          : `Could not sign in: ${(e as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <h1>Switchboard console</h1>
        <p id="sign-in-help">
          Sign in with the admin token or your own console token. It is kept for this tab only.
        </p>
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <label for="token">Console token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
          aria-errormessage={error ? 'token-error' : undefined}
        />
        {error && (
          <p id="token-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
