import { JOB_STATES, listJobs, watchJobs, type JobQuery, type JobView } from "../api";
import { age, fmtTime, h, stateBadge, errorBox } from "../dom";
import { navigate } from "../main";

const BASE = import.meta.env.BASE_URL;
const REFRESH_MS = 2000;

function queryFromUrl(q: URLSearchParams): JobQuery {
  return {
    states: q.get("state")?.split(",").filter(Boolean) ?? [],
    pool: q.get("pool") ?? "",
    tenant: q.get("tenant") ?? "",
    labels: (q.get("label") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    submittedAfter: q.get("after") ?? "",
    submittedBefore: q.get("before") ?? "",
    cursor: q.get("cursor"),
    limit: Number(q.get("limit") ?? 50),
  };
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toLocalInput(iso?: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Jobs, newest first: filters, live updates (the watchJobs stream; a 2 s refresh while it is down), pages by cursor. */
export async function jobsPage(main: HTMLElement, _p: Record<string, string>, url: URLSearchParams, signal: AbortSignal) {
  const q = queryFromUrl(url);
  const prevCursors = (url.get("prev") ?? "").split(" ").filter(Boolean);

  const stateBoxes = JOB_STATES.map((s) =>
    h("label", { class: "chip" }, h("input", { type: "checkbox", name: "state", value: s, checked: q.states!.includes(s) }), s));
  const pool = h("input", { id: "f-pool", name: "pool", value: q.pool ?? "", placeholder: "any", size: 12 });
  const tenant = h("input", { id: "f-tenant", name: "tenant", value: q.tenant ?? "", placeholder: "yours", size: 12 });
  const label = h("input", { id: "f-label", name: "label", value: (q.labels ?? []).join(","), placeholder: "key=value,…", size: 18 });
  const after = h("input", { id: "f-after", name: "after", type: "datetime-local", value: toLocalInput(q.submittedAfter) });
  const before = h("input", { id: "f-before", name: "before", type: "datetime-local", value: toLocalInput(q.submittedBefore) });
  const form = h("form", { class: "filters", "aria-label": "Filter jobs" },
    h("fieldset", { class: "states" }, h("legend", {}, "State"), ...stateBoxes),
    h("div", { class: "field" }, h("label", { for: "f-pool" }, "Pool"), pool),
    h("div", { class: "field" }, h("label", { for: "f-tenant" }, "Tenant"), tenant),
    h("div", { class: "field" }, h("label", { for: "f-label" }, "Labels"), label),
    h("div", { class: "field" }, h("label", { for: "f-after" }, "Submitted after"), after),
    h("div", { class: "field" }, h("label", { for: "f-before" }, "Submitted before"), before),
    h("div", { class: "field buttons" },
      h("button", { type: "submit", class: "primary" }, "Apply"),
      h("a", { href: `${BASE}jobs`, class: "button" }, "Reset")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    const states = stateBoxes.map((l) => l.querySelector("input")!).filter((i) => i.checked).map((i) => i.value);
    if (states.length) p.set("state", states.join(","));
    if (pool.value.trim()) p.set("pool", pool.value.trim());
    if (tenant.value.trim()) p.set("tenant", tenant.value.trim());
    if (label.value.trim()) p.set("label", label.value.trim());
    const a = toIso(after.value), b = toIso(before.value);
    if (a) p.set("after", a);
    if (b) p.set("before", b);
    navigate(`${BASE}jobs${p.size ? `?${p}` : ""}`);
  });

  const tbody = h("tbody", {});
  const status = h("p", { class: "muted live", "aria-live": "polite" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  const errors = h("div", {});
  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Jobs"), status),
    form,
    errors,
    h("table", { class: "jobs" },
      h("caption", { class: "sr-only" }, "Jobs, newest first"),
      h("thead", {}, h("tr", {},
        ...["Job", "State", "Pool", "Tenant", "Submitted", "Updated", "Attempts", "Queue"].map((c) => h("th", { scope: "col" }, c)))),
      tbody),
    pager,
  );

  const urlWith = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(url);
    for (const [k, v] of Object.entries(changes)) { if (v === null) p.delete(k); else p.set(k, v); }
    return `${BASE}jobs?${p}`;
  };

  let items: JobView[] = [];
  let nextCursor: string | null = null;
  let drawn = "";
  const shownOf = (list: JobView[]) => q.tenant ? list.filter((j) => !j.tenant || j.tenant === q.tenant) : list;
  const keyOf = (list: JobView[]) => JSON.stringify([shownOf(list), nextCursor, Math.floor(Date.now() / 30_000)]); // ages move on too
  const focusedHref = () => document.activeElement instanceof HTMLAnchorElement && tbody.contains(document.activeElement)
    ? document.activeElement.getAttribute("href") : null;
  const refocus = (href: string | null) => {
    if (href) tbody.querySelector<HTMLAnchorElement>(`a[href="${CSS.escape(href)}"]`)?.focus();
  };
  const render = () => {
    const shown = shownOf(items);
    const key = keyOf(items);
    if (key === drawn) return; // unchanged: keep the DOM (and the keyboard focus) as it is
    drawn = key;
    const focused = focusedHref();
    tbody.replaceChildren(...shown.map(row));
    refocus(focused);
    if (!shown.length) tbody.append(emptyRow());
    // the cursors of the newer pages, newest first ("-" = the first page), so "Newer" can go back
    const back = prevCursors.at(-1);
    pager.replaceChildren(
      back !== undefined
        ? h("a", { class: "button", href: urlWith({ cursor: back === "-" ? null : back, prev: prevCursors.slice(0, -1).join(" ") || null }) }, "← Newer")
        : h("span", {}),
      q.cursor ? h("a", { class: "button", href: urlWith({ cursor: null, prev: null }) }, "Newest") : h("span", {}),
      nextCursor
        ? h("a", { class: "button", rel: "next", href: urlWith({ cursor: nextCursor, prev: [...prevCursors, q.cursor ?? "-"].join(" ") }) }, "Older →")
        : h("span", { class: "muted" }, "end of list"),
    );
  };

  /**
   * One job's new view from the stream, drawn in place: its row is replaced (or removed if it no
   * longer matches the filters); a job new to the page is inserted at its place, newest first, on
   * the first page only (a later page shows a fixed range).
   */
  const apply = (job: JobView) => {
    const at = items.findIndex((j) => j.id === job.id);
    const fits = matches(q, job);
    // the stream sends the changed job only: when one enters or leaves a queue, the positions of
    // the other queued rows move, so the page is listed again (at most once a second)
    const wasQueued = at >= 0 && items[at].state === "QUEUED";
    if ((wasQueued || job.state === "QUEUED") && items.some((j) => j.id !== job.id && j.state === "QUEUED")) relistSoon();
    if (at >= 0) {
      const current = items[at];
      if (current.updatedAt && job.updatedAt && Date.parse(current.updatedAt) > Date.parse(job.updatedAt)) return; // older news
      if (fits) items[at] = job; else items.splice(at, 1);
    } else {
      if (!fits || q.cursor) return;
      let place = items.findIndex((j) => newerFirst(job, j) < 0);
      if (place < 0) {
        if (nextCursor) return; // older than this page holds: it belongs to a later page
        place = items.length;
      }
      items.splice(place, 0, job);
    }
    const focused = focusedHref();
    const tr = tbody.querySelector<HTMLTableRowElement>(`tr[data-job="${CSS.escape(job.id)}"]`);
    const shown = shownOf(items);
    if (tr && fits) {
      tr.replaceWith(row(job));
    } else if (tr) {
      tr.remove();
    } else if (fits && shown.includes(job)) {
      tbody.querySelector("tr.empty-row")?.remove();
      const after = shown[shown.indexOf(job) + 1];
      const before = after ? tbody.querySelector(`tr[data-job="${CSS.escape(after.id)}"]`) : null;
      tbody.insertBefore(row(job), before);
    }
    if (!shown.length && !tbody.querySelector("tr.empty-row")) tbody.append(emptyRow());
    refocus(focused);
    drawn = keyOf(items);
  };

  // Live: the page is listed, then kept up to date by the watchJobs stream (listed again on every
  // (re)connection, so no change is missed while it was down); while the stream is down the page
  // is fetched again every 2 s (while the tab is visible).
  let streaming = false;
  const buffers = new Set<JobView[]>(); // changes that arrive while a listing is in flight
  const refresh = async () => {
    const buffered: JobView[] = [];
    buffers.add(buffered);
    try {
      const page = await listJobs(q);
      if (signal.aborted) return;
      items = page.items;
      nextCursor = page.nextCursor;
      render();
      for (const job of buffered) apply(job); // the listing may have been read before them
      errors.replaceChildren();
      status.textContent = streaming ? "live" : `live · updated ${new Date().toLocaleTimeString()} (every 2 s)`;
    } catch (e) {
      if (signal.aborted) return;
      errors.replaceChildren(errorBox(e));
      status.textContent = "not updating";
    } finally {
      buffers.delete(buffered);
    }
  };
  let relist = 0;
  function relistSoon() {
    if (relist) return;
    relist = window.setTimeout(() => { relist = 0; if (!signal.aborted && streaming) void refresh(); }, 1000);
  }
  void watchJobs(q.tenant || undefined, (job) => {
    if (signal.aborted) return;
    for (const b of buffers) b.push(job);
    apply(job);
  }, signal, {
    onOpen: () => { streaming = true; void refresh(); },
    onDrop: () => { streaming = false; },
  }).catch(() => { /* refused (e.g. an api without the stream): the 2 s refresh goes on */ })
    .finally(() => { streaming = false; });

  await refresh();
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, REFRESH_MS));
    if (signal.aborted) return;
    if (!streaming && document.visibilityState === "visible") await refresh();
    else if (streaming) render(); // only redraws when the ages shown move on
  }
}

/** True if `job` passes the page's filters (the api's listJobs rules). */
function matches(q: JobQuery, job: JobView): boolean {
  if (q.states?.length && !q.states.includes(job.state)) return false;
  if (q.pool && job.pool !== q.pool) return false;
  if (q.tenant && (job.tenant ?? "default") !== q.tenant) return false;
  for (const l of q.labels ?? []) {
    const eq = l.indexOf("=");
    if (eq > 0 && job.labels?.[l.slice(0, eq)] !== l.slice(eq + 1)) return false;
  }
  const at = job.submittedAt ? Date.parse(job.submittedAt) : NaN;
  if (q.submittedAfter && !(at > Date.parse(q.submittedAfter))) return false;
  if (q.submittedBefore && !(at < Date.parse(q.submittedBefore))) return false;
  return true;
}

/** Newest first: negative if `a` comes before `b` (later submission, then the greater id). */
function newerFirst(a: JobView, b: JobView): number {
  const ta = a.submittedAt ? Date.parse(a.submittedAt) : 0;
  const tb = b.submittedAt ? Date.parse(b.submittedAt) : 0;
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function emptyRow(): HTMLElement {
  return h("tr", { class: "empty-row" }, h("td", { colspan: 8, class: "empty" }, "No jobs match."));
}

function row(job: JobView): HTMLElement {
  const last = job.attempts.at(-1);
  return h("tr", { "data-job": job.id, "data-state": job.state },
    h("td", {}, h("a", { href: `${BASE}jobs/${job.id}` }, job.name || job.id), job.name ? h("div", { class: "muted small mono" }, job.id) : null),
    h("td", {}, stateBadge(job.state), job.reason ? h("div", { class: "small muted" }, job.reason) : null),
    h("td", {}, job.pool ?? "default"),
    h("td", {}, job.tenant ?? "default"),
    h("td", { title: job.submittedAt ?? "" }, fmtTime(job.submittedAt), h("div", { class: "small muted" }, `${age(job.submittedAt)} ago`)),
    h("td", { title: job.updatedAt ?? "" }, fmtTime(job.updatedAt)),
    h("td", {}, String(job.attempts.length), last?.exitCode != null ? h("span", { class: "small muted" }, ` (exit ${last.exitCode})`) : null),
    h("td", {}, job.queuePosition ? `#${job.queuePosition}` : "—"),
  );
}
