// The API token: kept in sessionStorage (this tab only), sent as `Authorization: Bearer`.
// When the server answers 401 the app asks for a token; signing in bumps `epoch`, which
// remounts the current screen so it loads again with the token.

const KEY = "trilith.token";

export interface AuthState {
  token: string | null;
  signInRequired: boolean;
  message: string | null;
  epoch: number;
}

type Listener = () => void;

function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let state: AuthState = { token: readStoredToken(), signInRequired: false, message: null, epoch: 0 };
const listeners = new Set<Listener>();

function set(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

export const auth = {
  get: (): AuthState => state,
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  token: (): string | null => state.token,
  /** The server refused the request: ask for a (new) token. */
  requireSignIn(message: string): void {
    if (!state.signInRequired) set({ signInRequired: true, message });
  },
  signIn(token: string): void {
    const trimmed = token.trim();
    try {
      window.sessionStorage.setItem(KEY, trimmed);
    } catch {
      // Storage can be disabled; the token then lives for this page only.
    }
    set({ token: trimmed, signInRequired: false, message: null, epoch: state.epoch + 1 });
  },
  signOut(): void {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch {
      // ignore
    }
    set({ token: null, epoch: state.epoch + 1 });
  },
};
