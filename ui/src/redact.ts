// What the job page shows of a spec: values of conf and env keys that look like secrets are
// replaced (secretRefs name secrets, they never carry them, so they stay as they are).
const SECRET_KEY = /(secret|passw(or)?d|pwd|token|credential|private|api[._-]?key|access[._-]?key|account[._-]?key|auth)/i;
export const REDACTED = "‹redacted›";

function redactMap(m: unknown): unknown {
  if (!m || typeof m !== "object") return m;
  return Object.fromEntries(Object.entries(m as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : v]));
}

/** A copy of `spec` with secret-looking conf/env values and URL credentials redacted. */
export function redact(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(spec));
  if (out.conf) out.conf = redactMap(out.conf);
  if (out.env) out.env = redactMap(out.env);
  // user:password@ in any URI-looking string
  return JSON.parse(JSON.stringify(out, (_k, v) =>
    typeof v === "string" ? v.replace(/(\/\/[^/:@\s]+:)[^@/\s]+@/g, `$1${REDACTED}@`) : v));
}
