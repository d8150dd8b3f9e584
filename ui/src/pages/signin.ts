import { call, ApiError } from "../api";
import { oidcEnabled, setToken, signInWithOidc, signOut } from "../auth";
import { h, errorBox } from "../dom";
import { navigate } from "../main";

const BASE = import.meta.env.BASE_URL;

function returnTo(): string {
  const to = sessionStorage.getItem("kindling.returnTo");
  sessionStorage.removeItem("kindling.returnTo");
  return to && to.startsWith(BASE) && !to.startsWith(`${BASE}signin`) ? to : `${BASE}jobs`;
}

/** Sign-in: a token (static tokens, e.g. the admin token `./kindling up` prints) or OIDC. */
export function signInPage(main: HTMLElement, _p: Record<string, string>, query: URLSearchParams, _signal?: AbortSignal): void {
  const input = h("input", {
    id: "token", name: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false",
    placeholder: "paste your API token",
  });
  const message = h("div", {});
  const form = h("form", { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in to Kindling"),
    query.get("expired") ? h("p", { class: "warn" }, "Your session has ended or the token was refused; sign in again.") : null,
    oidcEnabled()
      ? h("p", {}, h("button", { type: "button", class: "primary", onclick: () => void signInWithOidc(returnTo()) },
          "Sign in with your organisation"), h("span", { class: "muted" }, " or use an API token:"))
      : null,
    h("label", { for: "token" }, "API token"),
    input,
    h("p", { class: "hint" }, "With ", h("code", {}, "./kindling up"), " the admin token is in ",
      h("code", {}, "$KINDLING_HOME/admin.token"), ". The token is kept in this tab only (session storage), never in the URL."),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    message,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setToken(input.value, "token");
    try {
      await call("/v1/jobs?limit=1");
      navigate(returnTo(), true);
    } catch (err) {
      signOut();
      message.replaceChildren(errorBox(err instanceof ApiError && err.status === 401
        ? new Error("The api refused this token.") : err));
    }
  });
  main.replaceChildren(form);
  input.focus();
}
