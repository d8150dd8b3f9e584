// Who the UI calls the api as: a bearer token kept in sessionStorage (never in the URL), either
// pasted into the sign-in form (static tokens, e.g. $KINDLING_HOME/admin.token) or obtained from
// the OIDC provider with the authorization code flow and PKCE (oidc-client-ts).
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

const TOKEN_KEY = "kindling.token";
const KIND_KEY = "kindling.tokenKind";

export interface OidcSettings {
  authority: string;
  clientId: string;
  scope: string;
}

export interface UiSettings {
  oidc: OidcSettings | null;
  historyServer: string | null;
}

let settings: UiSettings = { oidc: null, historyServer: null };
let manager: UserManager | null = null;
let token: string | null = sessionStorage.getItem(TOKEN_KEY);

/** Reads /ui/config.json (served by the api: OIDC settings when it has them). */
export async function loadSettings(): Promise<UiSettings> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
    if (res.ok) {
      const body = (await res.json()) as Partial<UiSettings>;
      settings = { oidc: body.oidc ?? null, historyServer: body.historyServer ?? null };
    }
  } catch {
    settings = { oidc: null, historyServer: null };
  }
  if (settings.oidc) {
    const base = `${location.origin}${import.meta.env.BASE_URL}`;
    manager = new UserManager({
      authority: settings.oidc.authority,
      client_id: settings.oidc.clientId,
      scope: settings.oidc.scope,
      redirect_uri: `${base}callback`,
      post_logout_redirect_uri: `${base}`,
      response_type: "code",
      userStore: new WebStorageStateStore({ store: sessionStorage }),
      stateStore: new WebStorageStateStore({ store: sessionStorage }),
      automaticSilentRenew: false,
    });
    manager.events.addUserLoaded((user: User) => setToken(user.access_token, "oidc"));
    const user = await manager.getUser();
    if (user && !user.expired && !token) {
      setToken(user.access_token, "oidc");
    }
  }
  return settings;
}

/** The Spark History Server the api names, or null. */
export function historyServer(): string | null {
  return settings.historyServer;
}

export function oidcEnabled(): boolean {
  return manager !== null;
}

export function currentToken(): string | null {
  return token;
}

export function tokenKind(): string {
  return sessionStorage.getItem(KIND_KEY) ?? "token";
}

export function setToken(value: string, kind: "token" | "oidc"): void {
  token = value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(KIND_KEY, kind);
}

export function signOut(): void {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(KIND_KEY);
  void manager?.removeUser();
}

/** Starts the authorization code flow (with PKCE); comes back at /ui/callback. */
export async function signInWithOidc(returnTo: string): Promise<void> {
  if (!manager) throw new Error("OIDC is not configured");
  await manager.signinRedirect({ state: returnTo });
}

/** Completes the flow at /ui/callback; answers where to go next. */
export async function completeOidcSignIn(): Promise<string> {
  if (!manager) throw new Error("OIDC is not configured");
  const user = await manager.signinRedirectCallback();
  setToken(user.access_token, "oidc");
  const to = typeof user.state === "string" ? user.state : "";
  return to.startsWith(import.meta.env.BASE_URL) ? to : `${import.meta.env.BASE_URL}jobs`;
}
