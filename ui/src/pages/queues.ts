import { getQueues, type PoolQueue } from "../api";
import { age, fmtTime, h, errorBox } from "../dom";

const BASE = import.meta.env.BASE_URL;
const REFRESH_MS = 2000;

/** Per pool: running against maxRunning, tenants against their limit, queued jobs in dispatch order. */
export async function queuesPage(main: HTMLElement, _p: Record<string, string>, _q: URLSearchParams, signal: AbortSignal) {
  const body = h("div", { class: "pools" });
  const status = h("p", { class: "muted live", "aria-live": "polite" });
  const errors = h("div", {});
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Queues"), status), errors, body);
  while (!signal.aborted) {
    if (document.visibilityState === "visible" || !body.childElementCount) {
      try {
        const q = await getQueues();
        if (signal.aborted) return;
        body.replaceChildren(...q.pools.map(pool));
        if (!q.pools.length) body.append(h("p", { class: "empty" }, "No pool has queued or running jobs."));
        errors.replaceChildren();
        status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
      } catch (e) {
        if (signal.aborted) return;
        errors.replaceChildren(errorBox(e));
      }
    }
    await new Promise((r) => setTimeout(r, REFRESH_MS));
  }
}

function meter(label: string, value: number, max: number | null): HTMLElement {
  const pct = max ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return h("div", { class: "meter-row" },
    h("span", {}, label),
    max
      ? h("meter", { min: 0, max, value, "aria-label": `${label}: ${value} of ${max}`, class: pct >= 100 ? "full" : "" })
      : h("span", { class: "muted small" }, "no limit"),
    h("span", { class: "mono" }, `${value} / ${max ?? "∞"}`));
}

function pool(p: PoolQueue): HTMLElement {
  return h("section", { class: "card pool", "aria-labelledby": `pool-${p.pool}`, "data-pool": p.pool },
    h("h2", { id: `pool-${p.pool}` }, p.pool),
    meter("Running", p.running, p.maxRunning),
    h("h3", {}, "Tenants"),
    h("table", { class: "tenants" },
      h("thead", {}, h("tr", {}, ...["Tenant", "Running", "Limit", "Queued"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...p.tenants.map((t) => h("tr", {},
        h("td", {}, t.tenant),
        h("td", {}, String(t.running)),
        h("td", {}, t.limit === null ? "no limit" : h("span", { class: t.running >= t.limit ? "warn" : "" }, `${t.running} / ${t.limit}`)),
        h("td", {}, String(t.queued)))),
        p.tenants.length ? null : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No running or queued jobs you can see.")))),
    h("h3", {}, `Queued (${p.queuedTotal}${p.queuedTotal > p.queued.length ? `, first ${p.queued.length} shown` : ""})`),
    p.queued.length
      ? h("table", { class: "queued" },
          h("thead", {}, h("tr", {}, ...["#", "Job", "Tenant", "Priority", "Waiting", "Submitted"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, ...p.queued.map((j) => h("tr", { "data-job": j.id },
            h("td", {}, String(j.position)),
            h("td", {}, h("a", { href: `${BASE}jobs/${j.id}` }, j.name || j.id)),
            h("td", {}, j.tenant),
            h("td", {}, String(j.priority)),
            h("td", {}, age(j.submittedAt)),
            h("td", {}, fmtTime(j.submittedAt))))))
      : h("p", { class: "muted" }, "Nothing queued."),
  );
}
