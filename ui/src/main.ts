// The UI's shell: a tiny history router under /ui/, the sign-in gate, and the pages.
import "./style.css";
import { whenUnauthorized } from "./api";
import { completeOidcSignIn, currentToken, loadSettings, signOut, tokenKind } from "./auth";
import { h, errorBox } from "./dom";
import { jobsPage } from "./pages/jobs";
import { jobPage } from "./pages/job";
import { logsPage } from "./pages/logs";
import { queuesPage } from "./pages/queues";
import { signInPage } from "./pages/signin";

const BASE = import.meta.env.BASE_URL; // "/ui/"

export type Page = (main: HTMLElement, params: Record<string, string>, query: URLSearchParams, signal: AbortSignal) => void | Promise<void>;

const routes: [RegExp, Page, string][] = [
  [/^jobs\/?$/, jobsPage, "Jobs"],
  [/^jobs\/(?<id>[a-z0-9-]+)\/logs\/?$/, logsPage, "Logs"],
  [/^jobs\/(?<id>[a-z0-9-]+)\/?$/, jobPage, "Job"],
  [/^queues\/?$/, queuesPage, "Queues"],
];

let controller: AbortController | null = null;

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  void route();
}

async function route(): Promise<void> {
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const main = document.getElementById("main")!;
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "";
  const query = new URLSearchParams(location.search);
  renderWho();

  if (path === "callback") {
    try {
      navigate(await completeOidcSignIn(), true);
    } catch (e) {
      main.replaceChildren(h("h1", {}, "Sign-in failed"), errorBox(e));
    }
    return;
  }
  if (path === "" ) {
    navigate(`${BASE}jobs`, true);
    return;
  }
  if (!currentToken() && path !== "signin") {
    sessionStorage.setItem("kindling.returnTo", location.pathname + location.search);
    navigate(`${BASE}signin`, true);
    return;
  }
  if (path === "signin") {
    document.title = "Sign in · Kindling";
    signInPage(main, {}, query, signal);
    return;
  }
  for (const [re, page, title] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    const params = { ...(m.groups ?? {}) };
    document.title = `${params.id ? `${params.id} · ` : ""}${title} · Kindling`;
    markNav(path);
    main.replaceChildren();
    try {
      await page(main, params, query, signal);
    } catch (e) {
      if (!signal.aborted) main.append(errorBox(e));
    }
    return;
  }
  main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, h("a", { href: `${BASE}jobs` }, "Go to the jobs")));
}

function markNav(path: string): void {
  document.querySelectorAll<HTMLAnchorElement>("header nav a").forEach((a) => {
    const section = a.pathname.slice(BASE.length).split("/")[0];
    if (path.split("/")[0] === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

function renderWho(): void {
  const who = document.getElementById("who")!;
  if (!currentToken()) { who.replaceChildren(); return; }
  who.replaceChildren(
    h("span", { class: "muted" }, tokenKind() === "oidc" ? "signed in (OIDC)" : "signed in (token)"),
    h("button", { type: "button", class: "link", onclick: () => { signOut(); navigate(`${BASE}signin`); } }, "Sign out"),
  );
}

// Same-origin links inside the UI are handled by the router (no page load).
document.addEventListener("click", (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest("a");
  if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin || !a.pathname.startsWith(BASE)) return;
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
});
window.addEventListener("popstate", () => void route());

whenUnauthorized(() => {
  if (location.pathname.startsWith(`${BASE}signin`)) return; // the form says it itself
  signOut();
  const back = location.pathname + location.search;
  sessionStorage.setItem("kindling.returnTo", back);
  navigate(`${BASE}signin?expired=1`, true);
});

void loadSettings().then(() => route());
