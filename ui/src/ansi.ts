// ANSI SGR colours (ESC [ ... m) to spans: bold, faint, italic, underline, the 8/16 colours,
// 256 colours and 24-bit colours, for foreground and background. Other escapes are dropped.
const BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5"];
const BRIGHT = ["#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];

interface Style {
  fg?: string;
  bg?: string;
  bold?: boolean;
  faint?: boolean;
  italic?: boolean;
  underline?: boolean;
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;?]*)([A-Za-z])/g;
// eslint-disable-next-line no-control-regex
export const HAS_ESCAPE = /\x1b/;

function color256(n: number): string {
  if (n < 8) return BASIC[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const i = n - 16;
    const c = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function apply(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) Object.keys(s).forEach((k) => delete (s as Record<string, unknown>)[k]);
    else if (p === 1) s.bold = true;
    else if (p === 2) s.faint = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 22) { s.bold = false; s.faint = false; }
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p >= 30 && p <= 37) s.fg = BASIC[p - 30];
    else if (p >= 90 && p <= 97) s.fg = BRIGHT[p - 90];
    else if (p >= 40 && p <= 47) s.bg = BASIC[p - 40];
    else if (p >= 100 && p <= 107) s.bg = BRIGHT[p - 100];
    else if (p === 39) delete s.fg;
    else if (p === 49) delete s.bg;
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      const c = color256(params[i + 2] ?? 0);
      if (p === 38) s.fg = c; else s.bg = c;
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      const c = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      if (p === 38) s.fg = c; else s.bg = c;
      i += 4;
    }
  }
  return s;
}

function css(s: Style): string {
  let out = "";
  if (s.fg) out += `color:${s.fg};`;
  if (s.bg) out += `background:${s.bg};`;
  if (s.bold) out += "font-weight:bold;";
  if (s.faint) out += "opacity:.7;";
  if (s.italic) out += "font-style:italic;";
  if (s.underline) out += "text-decoration:underline;";
  return out;
}

/** The text without escape sequences (for search and copy). */
export function stripAnsi(line: string): string {
  return HAS_ESCAPE.test(line) ? line.replace(ESCAPE, "") : line;
}

/** Appends `line` to `parent` as text nodes and styled spans, highlighting `needle` (plain text). */
export function renderAnsi(parent: HTMLElement, line: string, needle: string): void {
  if (!HAS_ESCAPE.test(line)) {
    appendHighlighted(parent, line, needle, "");
    return;
  }
  let style: Style = {};
  let last = 0;
  ESCAPE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ESCAPE.exec(line)) !== null) {
    if (m.index > last) appendHighlighted(parent, line.slice(last, m.index), needle, css(style));
    if (m[2] === "m") {
      const params = m[1] === "" ? [0] : m[1].split(";").map((x) => Number(x) || 0);
      style = apply(style, params);
    }
    last = ESCAPE.lastIndex;
  }
  if (last < line.length) appendHighlighted(parent, line.slice(last), needle, css(style));
}

function appendHighlighted(parent: HTMLElement, text: string, needle: string, style: string): void {
  const target = style ? Object.assign(document.createElement("span"), { style: style }) : parent;
  if (style) (target as HTMLElement).setAttribute("style", style);
  if (!needle) {
    target.append(text);
  } else {
    const lower = text.toLowerCase();
    let at = 0;
    let i: number;
    while ((i = lower.indexOf(needle, at)) >= 0) {
      if (i > at) target.append(text.slice(at, i));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(i, i + needle.length);
      target.append(mark);
      at = i + needle.length;
    }
    if (at < text.length) target.append(text.slice(at));
  }
  if (target !== parent) parent.append(target);
}
