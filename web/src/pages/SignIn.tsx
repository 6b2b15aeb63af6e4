import { useState, type FormEvent } from "react";

import { auth } from "../api/auth";
import { Dialog } from "../ui/Dialog";

export function SignIn({ message }: { message: string | null }) {
  const [token, setToken] = useState("");
  const hadToken = Boolean(auth.token());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) auth.signIn(token);
  };
  return (
    <Dialog
      title="Sign in"
      onClose={() => undefined}
      showCloseIcon={false}
      closeOnOverlay={false}
      width={400}
      dataId="sign-in"
      description="This server needs an API token. It is kept in this browser tab only."
    >
      <form className="form sign-in" onSubmit={submit}>
        {hadToken && message ? (
          <p className="field-error" role="alert">
            {message}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="api-token" className="field-label">
            API token
          </label>
          <input
            id="api-token"
            className="input"
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
          />
          <p className="hint">
            The admin token is printed by <code>trilith serve</code> when <code>TRILITH_ADMIN_TOKEN</code> is not set.
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!token.trim()}>
            Sign in
          </button>
        </div>
      </form>
    </Dialog>
  );
}
