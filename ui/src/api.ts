// The api, as the UI uses it: every call carries `Authorization: Bearer <token>`; server-sent
// events and log follows are read with fetch and a stream reader (EventSource cannot send headers).
import { currentToken } from "./auth";

export type JobState =
  | "QUEUED" | "DISPATCHED" | "SUBMITTING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "RETRYING" | "REJECTED";

export const JOB_STATES: JobState[] = [
  "QUEUED", "DISPATCHED", "SUBMITTING", "RUNNING", "RETRYING", "SUCCEEDED", "FAILED", "CANCELLED", "REJECTED",
];
export const TERMINAL: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "REJECTED"]);

export interface AttemptView {
  number: number;
  attemptId: string;
  state: JobState;
  workerId?: string | null;
  exitCode?: number | null;
  reason?: string | null;
  message?: string | null;
  sparkAppId?: string | null;
  sparkUiUrl?: string | null;
  createdAt?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
}

export interface JobView {
  id: string;
  name?: string | null;
  pool?: string;
  tenant?: string;
  state: JobState;
  reason?: string | null;
  message?: string | null;
  labels?: Record<string, string>;
  submittedAt?: string;
  updatedAt?: string;
  nextAttemptAt?: string | null;
  queuePosition?: number | null;
  attempts: AttemptView[];
  waiting?: JobWaiting | null;
}

/** Why a job no worker has taken yet is not moving (computed by the api when served). */
export interface JobWaiting {
  reason: "NO_LIVE_WORKER";
  message: string;
  since: string;
}

export interface JobPage {
  items: JobView[];
  nextCursor: string | null;
}

export interface JobEvent {
  eventId: string;
  jobId: string;
  state: JobState;
  time: string;
  attempt?: number;
  attemptId?: string;
  reason?: string;
  message?: string;
  exitCode?: number;
  sparkAppId?: string;
  sparkUiUrl?: string;
  workerId?: string;
  pool?: string;
  tenant?: string;
  spec?: Record<string, unknown>;
  submittedAt?: string;
  nextAttemptAt?: string;
  principal?: string;
}

export interface QueuedJob {
  id: string;
  name?: string | null;
  tenant: string;
  position: number;
  priority: number;
  submittedAt: string;
}

export interface TenantUsage {
  tenant: string;
  running: number;
  queued: number;
  limit: number | null;
}

export interface PoolQueue {
  pool: string;
  running: number;
  maxRunning: number | null;
  maxRunningPerTenant: number | null;
  queued: QueuedJob[];
  queuedTotal: number;
  tenants: TenantUsage[];
}

export interface Queues {
  pools: PoolQueue[];
}

/** An error answer of the api: `{code, message, details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; problem?: string }[] = [],
  ) {
    super(message);
  }
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => {};

/** Called when the api answers 401: the token is missing, wrong or expired. */
export function whenUnauthorized(handler: Unauthorized): void {
  onUnauthorized = handler;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra };
  const token = currentToken();
  if (token) h["Authorization"] = `Bearer ${token}`;
  return h;
}

async function failure(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let details: ApiError["details"] = [];
  try {
    const body = await res.json();
    code = body.code ?? code;
    message = body.message ?? message;
    details = Array.isArray(body.details) ? body.details : [];
  } catch {
    // not a JSON error body
  }
  if (res.status === 401) onUnauthorized();
  if (res.status === 429) {
    const after = res.headers.get("Retry-After");
    if (after) message += ` (retry after ${after} s)`;
  }
  return new ApiError(res.status, code, message, details);
}

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, {
    ...init,
    headers: headers((init.headers as Record<string, string>) ?? {}),
    cache: "no-store",
  });
  if (!res.ok) throw await failure(res);
  return res;
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await call(path, init);
  return (await res.json()) as T;
}

export interface JobQuery {
  states?: string[];
  pool?: string;
  tenant?: string;
  labels?: string[];
  submittedAfter?: string;
  submittedBefore?: string;
  limit?: number;
  cursor?: string | null;
}

export function listJobs(q: JobQuery): Promise<JobPage> {
  const p = new URLSearchParams();
  if (q.states?.length) p.set("state", q.states.join(","));
  if (q.pool) p.set("pool", q.pool);
  if (q.tenant) p.set("tenant", q.tenant);
  for (const l of q.labels ?? []) p.append("label", l);
  if (q.submittedAfter) p.set("submittedAfter", q.submittedAfter);
  if (q.submittedBefore) p.set("submittedBefore", q.submittedBefore);
  p.set("limit", String(q.limit ?? 50));
  if (q.cursor) p.set("cursor", q.cursor);
  return json<JobPage>(`/v1/jobs?${p}`);
}

export const getJob = (id: string) => json<JobView>(`/v1/jobs/${encodeURIComponent(id)}`);

/**
 * Follows `GET /v1/watch/jobs` (watchJobs): each change of a job view the caller may see (of
 * `tenant` only, when given) goes to `onJob`. Nothing is replayed: `watcher.onOpen` is the moment
 * to list again. Reconnects after a drop; throws on a 4xx answer (e.g. an api without it).
 */
export function watchJobs(
  tenant: string | undefined,
  onJob: (job: JobView) => void,
  signal: AbortSignal,
  watcher: StreamWatcher = {},
): Promise<void> {
  const p = new URLSearchParams();
  if (tenant) p.set("tenant", tenant);
  return readEvents(`/v1/watch/jobs${p.size ? `?${p}` : ""}`, (ev) => {
    if (ev.event !== "job") return;
    try {
      onJob(JSON.parse(ev.data) as JobView);
    } catch {
      // not JSON: skip
    }
  }, signal, watcher);
}

export const getQueues = () => json<Queues>(`/v1/queues`);

export function cancelJob(id: string, reason: string): Promise<JobView> {
  return json<JobView>(`/v1/jobs/${encodeURIComponent(id)}/cancel`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ reason }),
  });
}

export function submitJob(spec: Record<string, unknown>): Promise<JobView> {
  return json<JobView>(`/v1/jobs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(spec),
  });
}

/** Fetches a URL with the token and saves the body as a file (downloads need the header too). */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await call(path);
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  saveBlob(await res.blob(), match?.[1] ?? fallbackName);
}

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
  });

/** Told when a stream read by {@link readEvents} is (re)connected, and when a connection drops. */
export interface StreamWatcher {
  /** A connection was answered 200: events follow (a client without resume ids re-reads its state here). */
  onOpen?: () => void;
  /** A connection ended or failed; readEvents retries after a backoff. */
  onDrop?: (error: unknown) => void;
}

/**
 * Reads a server-sent event stream with fetch (so the Authorization header goes along), and
 * reconnects with Last-Event-ID until the server ends it with 204 or `signal` aborts. A 4xx answer
 * (other than 429) is thrown.
 */
export async function readEvents(
  path: string,
  onEvent: (ev: { id: string | null; event: string; data: string }) => void,
  signal: AbortSignal,
  watcher: StreamWatcher = {},
): Promise<void> {
  let lastId: string | null = null;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const extra: Record<string, string> = { Accept: "text/event-stream" };
      if (lastId !== null) extra["Last-Event-ID"] = lastId;
      const res = await fetch(path, { headers: headers(extra), signal, cache: "no-store" });
      if (res.status === 204) return;
      if (!res.ok) {
        const err = await failure(res);
        if (res.status < 500 && res.status !== 429) throw err;
        throw Object.assign(err, { retry: true });
      }
      failures = 0;
      watcher.onOpen?.();
      let ended = false;
      await readSse(res, signal, (ev) => {
        if (ev.id !== null) lastId = ev.id;
        onEvent(ev);
        if (TERMINAL.has(ev.event)) ended = true;
      });
      if (ended) return;
      if (!signal.aborted) watcher.onDrop?.(null);
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && !(e as ApiError & { retry?: boolean }).retry) throw e;
      failures++;
      watcher.onDrop?.(e);
    }
    await sleep(Math.min(1000 * 2 ** failures, 15_000), signal);
  }
}

async function readSse(
  res: Response,
  signal: AbortSignal,
  onEvent: (ev: { id: string | null; event: string; data: string }) => void,
): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  let buffer = "";
  let id: string | null = null;
  let event = "message";
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      let line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length) onEvent({ id, event, data: data.join("\n") });
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? "" : line.slice(colon + 1);
      if (val.startsWith(" ")) val = val.slice(1);
      if (field === "data") data.push(val);
      else if (field === "event") event = val;
      else if (field === "id") id = val;
    }
  }
}

export interface LogChunk {
  /** Byte offset in the stored stream where `bytes` start. */
  offset: number;
  bytes: Uint8Array;
}

export interface FollowStart {
  attempt?: number;
  tail?: number;
  offset?: number;
}

/**
 * Follows a log stream (`follow=true`, chunked bytes) from `start`, calling `onChunk` with the
 * bytes as they arrive; reconnects at the next byte on a dropped connection; resolves once the
 * api ends the stream (the attempt ended and every byte was sent) or `signal` aborts.
 */
export async function followLog(
  jobId: string,
  stream: "stdout" | "stderr",
  start: FollowStart,
  onChunk: (c: LogChunk) => void,
  onAttempt: (attempt: number) => void,
  signal: AbortSignal,
): Promise<void> {
  let next: number | null = start.offset ?? null;
  let attempt = start.attempt;
  let failures = 0;
  while (!signal.aborted) {
    const p = new URLSearchParams({ follow: "true" });
    if (attempt) p.set("attempt", String(attempt));
    if (next !== null) p.set("offset", String(next));
    else if (start.tail !== undefined) p.set("tail", String(start.tail));
    try {
      const res = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/logs/${stream}?${p}`, {
        headers: headers({ Accept: "application/octet-stream" }),
        signal,
        cache: "no-store",
      });
      if (!res.ok) {
        const err = await failure(res);
        if (res.status < 500 && res.status !== 429) throw err;
        failures++;
        await sleep(Math.min(1000 * 2 ** failures, 15_000), signal);
        continue;
      }
      failures = 0;
      const headerAttempt = Number(res.headers.get("Kindling-Attempt"));
      if (headerAttempt > 0 && attempt === undefined) {
        attempt = headerAttempt;
        onAttempt(headerAttempt);
      }
      let offset = Number(res.headers.get("Kindling-Offset") ?? next ?? 0);
      const reader = res.body!.getReader();
      const stop = () => void reader.cancel().catch(() => {});
      signal.addEventListener("abort", stop, { once: true });
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return; // the api ended the stream: the log is complete
          onChunk({ offset, bytes: value });
          offset += value.byteLength;
          next = offset;
        }
      } finally {
        signal.removeEventListener("abort", stop);
      }
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError) throw e;
      failures++;
      await sleep(Math.min(1000 * 2 ** failures, 15_000), signal);
    }
  }
}

/** Reads a whole log stream (range reads of 4 MiB) for a download. */
export async function readWholeLog(jobId: string, stream: string, attempt?: number): Promise<Blob> {
  const parts: BlobPart[] = [];
  let offset = 0;
  for (;;) {
    const p = new URLSearchParams({ offset: String(offset), limit: String(4 * 1024 * 1024) });
    if (attempt) p.set("attempt", String(attempt));
    const res = await call(`/v1/jobs/${encodeURIComponent(jobId)}/logs/${stream}?${p}`);
    const body = await res.arrayBuffer();
    parts.push(body);
    const nextOffset = Number(res.headers.get("Kindling-Next-Offset") ?? offset + body.byteLength);
    if (body.byteLength === 0 || nextOffset <= offset) break;
    offset = nextOffset;
  }
  return new Blob(parts, { type: "text/plain" });
}
