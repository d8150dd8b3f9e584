import { cancelJob, download, getJob, readEvents, submitJob, TERMINAL, type AttemptView, type JobEvent, type JobView } from "../api";
import { between, fmtDuration, fmtTime, h, stateBadge, toast, errorBox } from "../dom";
import { navigate } from "../main";
import { historyServer } from "../auth";
import { redact } from "../redact";

const BASE = import.meta.env.BASE_URL;

/** One job: summary, actions, attempts timeline, events, spec (secrets redacted); live over SSE. */
export async function jobPage(main: HTMLElement, params: Record<string, string>, _q: URLSearchParams, signal: AbortSignal) {
  const id = params.id;
  const events: JobEvent[] = [];
  let view: JobView = await getJob(id);
  if (signal.aborted) return;

  const head = h("div", {});
  const actions = h("div", { class: "actions" });
  const timeline = h("ol", { class: "timeline", "aria-label": "Attempts" });
  const eventRows = h("tbody", {});
  const specPre = h("pre", { class: "spec", tabindex: "0", "aria-label": "Job spec" }, "(the spec arrives with the job's first event)");
  const live = h("span", { class: "muted live", "aria-live": "polite" });
  main.append(
    head,
    actions,
    h("section", { "aria-labelledby": "attempts-h" }, h("h2", { id: "attempts-h" }, "Attempts"), timeline),
    h("div", { class: "two" },
      h("section", { "aria-labelledby": "events-h" }, h("h2", { id: "events-h" }, "Events ", live),
        h("table", { class: "events" }, h("thead", {}, h("tr", {},
          ...["Time", "State", "Attempt", "Detail"].map((c) => h("th", { scope: "col" }, c)))), eventRows)),
      h("section", { "aria-labelledby": "spec-h" }, h("h2", { id: "spec-h" }, "Spec ", h("span", { class: "muted small" }, "(secrets redacted)")), specPre)),
  );

  const spec = () => events.find((e) => e.spec)?.spec ?? null;

  const render = () => {
    head.replaceChildren(
      h("p", { class: "crumbs" }, h("a", { href: `${BASE}jobs` }, "Jobs"), " / ", view.id),
      h("div", { class: "page-head" },
        h("h1", {}, view.name || view.id, " ", stateBadge(view.state)),
      ),
      h("dl", { class: "summary" },
        ...kv("Id", h("span", { class: "mono" }, view.id)),
        ...kv("Tenant", view.tenant ?? "default"),
        ...kv("Pool", view.pool ?? "default"),
        ...kv("Submitted", fmtTime(view.submittedAt)),
        ...kv("Updated", fmtTime(view.updatedAt)),
        ...(view.queuePosition ? kv("Queue position", `#${view.queuePosition}`) : []),
        ...(view.waiting ? kv("Waiting", view.waiting.message) : []),
        ...(view.nextAttemptAt ? kv("Next attempt", `${fmtTime(view.nextAttemptAt)} (in ${fmtDuration(-(between(view.nextAttemptAt, null) ?? 0))})`) : []),
        ...(view.reason ? kv("Reason", view.reason) : []),
        ...(view.message ? kv("Message", view.message) : []),
        ...kv("Labels", Object.entries(view.labels ?? {}).length
          ? h("span", {}, ...Object.entries(view.labels ?? {}).map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`)))
          : "—"),
      ),
    );
    renderActions();
    timeline.replaceChildren(...view.attempts.map((a, i) => attemptItem(view, a, backoffBefore(i + 1))));
    if (!view.attempts.length) timeline.append(h("li", { class: "muted" }, "No attempt yet."));
    const s = spec();
    if (s) specPre.textContent = JSON.stringify(redact(withoutEmpties(s)), null, 2);
  };

  const backoffBefore = (attempt: number): string | null => {
    // the RETRYING event that ended attempt-1 says when `attempt` was due
    const retry = events.find((e) => e.state === "RETRYING" && e.attempt === attempt - 1 && e.nextAttemptAt);
    return retry ? `retry backoff ${fmtDuration(between(retry.time, retry.nextAttemptAt))} (due ${fmtTime(retry.nextAttemptAt)})` : null;
  };

  // the actions are built once (so focus stays on them while events arrive); render() updates them
  const cancelForm = h("form", { class: "inline", hidden: true, "aria-label": "Cancel this job" });
  const reason = h("input", { name: "reason", id: "cancel-reason", placeholder: "reason (optional)", maxlength: 1000, size: 30 });
  const cancelBtn = h("button", { type: "button", class: "danger", onclick: () => { cancelForm.hidden = false; reason.focus(); } },
    "Cancel job…");
  cancelForm.append(h("label", { for: "cancel-reason", class: "sr-only" }, "Reason"), reason,
    h("button", { type: "submit", class: "danger" }, "Confirm cancel"),
    h("button", { type: "button", onclick: () => { cancelForm.hidden = true; cancelBtn.focus(); } }, "Keep it"));
  cancelForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      view = await cancelJob(id, reason.value || "cancelled from the web UI");
      toast("Cancel requested");
      cancelForm.hidden = true;
      render();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), "error");
    }
  });
  const resubmit = h("button", {
    type: "button",
    onclick: async () => {
      const s = { ...(spec() as Record<string, unknown>) };
      delete s.idempotencyKey; // a new job, not a replay
      try {
        const job = await submitJob(s);
        toast(`Submitted ${job.id}`);
        navigate(`${BASE}jobs/${job.id}`);
      } catch (err) {
        toast(err instanceof Error ? err.message : String(err), "error");
      }
    },
  }, "Resubmit as new job");
  actions.append(h("a", { class: "button primary", href: `${BASE}jobs/${id}/logs` }, "Logs"), cancelBtn, resubmit, cancelForm);

  const renderActions = () => {
    cancelBtn.disabled = TERMINAL.has(view.state);
    if (cancelBtn.disabled) cancelForm.hidden = true;
    resubmit.disabled = !spec();
    resubmit.title = spec() ? "submit the same spec as a new job" : "the spec is not known yet";
  };

  const addEvent = (e: JobEvent) => {
    events.push(e);
    const detail = [e.reason, e.message, e.exitCode != null ? `exit ${e.exitCode}` : null, e.workerId ? `worker ${e.workerId}` : null,
      e.nextAttemptAt ? `next attempt ${fmtTime(e.nextAttemptAt)}` : null, e.principal ? `by ${e.principal}` : null]
      .filter(Boolean).join(" · ");
    eventRows.append(h("tr", {}, h("td", {}, fmtTime(e.time)), h("td", {}, stateBadge(e.state)),
      h("td", {}, e.attempt ? String(e.attempt) : ""), h("td", {}, detail)));
  };

  render();
  // Live: the job's events (replayed, then as they happen); each one refreshes the view.
  let pending = 0;
  live.textContent = "live";
  try {
    await readEvents(`/v1/jobs/${encodeURIComponent(id)}/events`, (ev) => {
      try {
        const e = JSON.parse(ev.data) as JobEvent;
        const hadSpec = spec() !== null;
        addEvent(e);
        if (!hadSpec && e.spec) render(); // the spec (and so Resubmit) at once
      } catch { /* not JSON: skip */ }
      clearTimeout(pending);
      pending = window.setTimeout(async () => {
        try { view = await getJob(id); if (!signal.aborted) render(); } catch { /* keep the last view */ }
      }, 150);
    }, signal);
    if (!signal.aborted) live.textContent = TERMINAL.has(view.state) || events.some((e) => TERMINAL.has(e.state)) ? "ended" : "";
  } catch (e) {
    if (!signal.aborted) main.append(errorBox(e));
  }
}

/** The spec without empty lists and maps (the api fills every optional field in). */
function withoutEmpties(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) =>
    v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0)));
}

function kv(k: string, v: Node | string): HTMLElement[] {
  return [h("dt", {}, k), h("dd", {}, v)];
}

function attemptItem(job: JobView, a: AttemptView, backoff: string | null): HTMLElement {
  const queued = between(a.createdAt, a.startedAt ?? (TERMINAL.has(a.state) ? a.finishedAt : null));
  const ran = a.startedAt ? between(a.startedAt, a.finishedAt) : null;
  const logs = (s: string) => `${BASE}jobs/${job.id}/logs?stream=${s}&attempt=${a.number}`;
  const eventLog = h("button", {
    type: "button", disabled: !a.finishedAt, title: a.finishedAt ? "download the Spark event log" : "available once the attempt has ended",
    onclick: () => download(`/v1/jobs/${job.id}/eventlog?attempt=${a.number}`, `${a.attemptId}-eventlog`)
      .catch((e) => toast(e instanceof Error ? e.message : String(e), "error")),
  }, "Event log");
  return h("li", { class: `attempt s-${a.state.toLowerCase()}`, "data-attempt": a.number },
    backoff ? h("div", { class: "backoff muted small" }, backoff) : null,
    h("div", { class: "attempt-head" },
      h("strong", {}, `Attempt ${a.number}`), " ", stateBadge(a.state),
      a.reason && a.reason !== a.state ? h("span", { class: "reason" }, a.reason) : null,
      a.exitCode != null ? h("span", { class: "chip" }, `exit ${a.exitCode}`) : null),
    a.message ? h("p", { class: "message" }, a.message) : null,
    h("dl", { class: "attempt-meta" },
      ...kv("Worker", a.workerId ?? "—"),
      ...kv("Created", fmtTime(a.createdAt)),
      ...kv("Started", fmtTime(a.startedAt)),
      ...kv("Finished", fmtTime(a.finishedAt)),
      ...kv("Waited", fmtDuration(queued)),
      ...kv("Ran", fmtDuration(ran)),
      ...kv("Spark app", a.sparkAppId ? h("span", { class: "mono" }, a.sparkAppId) : "—"),
    ),
    h("div", { class: "attempt-links" },
      h("a", { href: logs("stdout") }, "stdout"), h("a", { href: logs("stderr") }, "stderr"),
      a.sparkUiUrl && !a.finishedAt ? h("a", { href: a.sparkUiUrl, target: "_blank", rel: "noopener" }, "Spark UI ↗") : null,
      a.sparkAppId && historyServer()
        ? h("a", { href: `${historyServer()}/history/${encodeURIComponent(a.sparkAppId)}/`, target: "_blank", rel: "noopener" }, "History Server ↗")
        : null,
      eventLog),
  );
}
