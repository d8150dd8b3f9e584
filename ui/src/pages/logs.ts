import { followLog, getJob, readWholeLog, saveBlob, type JobView } from "../api";
import { h, stateBadge, toast, errorBox } from "../dom";
import { LogView } from "../logview";
import { navigate } from "../main";

const BASE = import.meta.env.BASE_URL;
const TAIL_LINES = 1000;
type Stream = "stdout" | "stderr";

/**
 * A job's driver logs: stdout/stderr tabs; live follow from the last 1,000 lines; search;
 * ANSI colours; download; each line number links to that line (its byte offset).
 */
export async function logsPage(main: HTMLElement, params: Record<string, string>, q: URLSearchParams, signal: AbortSignal) {
  const id = params.id;
  const stream: Stream = q.get("stream") === "stderr" ? "stderr" : "stdout";
  const at = q.get("at") !== null ? Number(q.get("at")) : null;
  let attempt = q.get("attempt") ? Number(q.get("attempt")) : undefined;
  const job: JobView = await getJob(id);
  if (signal.aborted) return;

  const url = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) { if (v === null) p.delete(k); else p.set(k, v); }
    return `${BASE}jobs/${id}/logs?${p}`;
  };
  const view = new LogView({
    linkFor: (offset) => url({ stream, attempt: attempt ? String(attempt) : null, at: String(offset) }),
  });

  const tab = (s: Stream) => h("a", {
    role: "tab", id: `tab-${s}`, href: url({ stream: s, at: null }), "aria-selected": String(s === stream),
    "aria-controls": "log-panel", tabindex: s === stream ? "0" : "-1", class: s === stream ? "tab active" : "tab",
  }, s);
  const tabs = h("div", { role: "tablist", "aria-label": "Log stream", class: "tabs" }, tab("stdout"), tab("stderr"));
  tabs.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      navigate(url({ stream: stream === "stdout" ? "stderr" : "stdout", at: null }));
    }
  });

  const attempts = h("select", { id: "attempt", "aria-label": "Attempt" },
    h("option", { value: "", selected: !attempt }, "latest attempt"),
    ...job.attempts.map((a) => h("option", { value: String(a.number), selected: a.number === attempt }, `attempt ${a.number} (${a.state})`)));
  attempts.addEventListener("change", () => navigate(url({ attempt: attempts.value || null, at: null })));

  const search = h("input", { id: "log-search", type: "search", placeholder: "search (/)", "aria-label": "Search the log", size: 24 });
  const found = h("span", { class: "muted small", "aria-live": "polite" });
  const runSearch = (back = false) => {
    const n = view.search(search.value, back);
    found.textContent = search.value ? (n ? `${n} matching lines` : "no match") : "";
  };
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); runSearch(e.shiftKey); }
    if (e.key === "Escape") { search.value = ""; runSearch(); view.focus(); }
  });
  search.addEventListener("input", () => { if (!search.value) runSearch(); });

  const downloadBtn = h("button", {
    type: "button", onclick: async () => {
      try {
        saveBlob(await readWholeLog(id, stream, attempt), `${id}-${attempt ? `attempt-${attempt}-` : ""}${stream}.log`);
      } catch (e) {
        toast(e instanceof Error ? e.message : String(e), "error");
      }
    },
  }, "Download");

  const from = h("span", { class: "muted small" });
  main.append(
    h("p", { class: "crumbs" }, h("a", { href: `${BASE}jobs` }, "Jobs"), " / ", h("a", { href: `${BASE}jobs/${id}` }, job.name || id), " / logs"),
    h("div", { class: "page-head" }, h("h1", {}, "Logs ", h("span", { class: "muted" }, job.name || id), " ", stateBadge(job.state)), from),
    h("div", { class: "log-toolbar" }, tabs, attempts, search,
      h("button", { type: "button", onclick: () => runSearch(true), "aria-label": "previous match" }, "↑"),
      h("button", { type: "button", onclick: () => runSearch(false), "aria-label": "next match" }, "↓"),
      found,
      h("button", { type: "button", onclick: () => view.scrollToEnd() }, "Follow (End)"),
      downloadBtn),
    h("div", { id: "log-panel", role: "tabpanel", "aria-labelledby": `tab-${stream}` }, view.element),
  );
  from.textContent = at !== null ? `from byte ${at}` : `last ${TAIL_LINES.toLocaleString()} lines, then live`;

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "/" && document.activeElement !== search && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      search.focus();
    }
  };
  document.addEventListener("keydown", onKey);
  signal.addEventListener("abort", () => document.removeEventListener("keydown", onKey), { once: true });

  let linked = at === null;
  try {
    await followLog(id, stream, at !== null ? { attempt, offset: at } : { attempt, tail: TAIL_LINES },
      (c) => {
        view.append(c.offset, c.bytes);
        if (!linked) linked = view.highlightOffset(at!);
      },
      (n) => { attempt = attempt ?? n; },
      signal);
    if (!signal.aborted) view.end();
  } catch (e) {
    if (!signal.aborted) main.append(errorBox(e));
  }
}
