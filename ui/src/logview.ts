// A log viewer that keeps up with a driver printing thousands of lines a second: bytes are split
// into lines as they arrive (no DOM work), and the DOM is updated at most once per animation
// frame, rendering only the lines in view (virtual scrolling over a fixed line height).
import { renderAnsi, stripAnsi } from "./ansi";
import { h } from "./dom";

const LINE_HEIGHT = 18;
const OVERSCAN = 20;
/** Lines kept in the page; older ones are dropped (the download has them all). */
const MAX_LINES = 300_000;
const NEWLINE = 10;

export interface LogViewOptions {
  /** Called when a line's link is asked for (its byte offset in the stream). */
  linkFor: (offset: number) => string;
}

export class LogView {
  readonly element: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly window: HTMLElement;
  private readonly status: HTMLElement;
  private lines: string[] = [];
  private offsets: number[] = [];
  private dropped = 0;
  private pendingBytes: number | null = null; // offset where the partial line started
  private partial = "";
  private decoder = new TextDecoder("utf-8");
  private frame = 0;
  private follow = true;
  private needle = "";
  private current = -1; // the search match shown
  private highlighted = -1; // a linked line
  private totalBytes = 0;
  private complete = false;

  constructor(private readonly options: LogViewOptions) {
    this.spacer = h("div", { class: "log-spacer" });
    this.window = h("div", { class: "log-window" });
    this.scroller = h(
      "div",
      { class: "log-scroller", tabindex: "0", role: "log", "aria-label": "log lines", "aria-live": "off" },
      this.spacer,
      this.window,
    );
    this.status = h("div", { class: "log-status", "aria-live": "polite" });
    this.element = h("div", { class: "log-view" }, this.scroller, this.status);
    this.scroller.addEventListener("scroll", () => {
      const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - LINE_HEIGHT * 2;
      this.follow = atBottom;
      this.schedule();
    });
    this.scroller.addEventListener("keydown", (e) => {
      if (e.key === "End") { this.scrollToEnd(); e.preventDefault(); }
      if (e.key === "Home") { this.scroller.scrollTop = 0; e.preventDefault(); }
    });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** Appends the bytes that start at `offset` of the stream. */
  append(offset: number, bytes: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== NEWLINE) continue;
      const lineStart = this.pendingBytes ?? offset + start;
      const text = this.partial + this.decoder.decode(bytes.subarray(start, i), { stream: true });
      this.lines.push(text.endsWith("\r") ? text.slice(0, -1) : text);
      this.offsets.push(lineStart);
      this.partial = "";
      this.pendingBytes = null;
      start = i + 1;
    }
    if (start < bytes.length) {
      if (this.pendingBytes === null) this.pendingBytes = offset + start;
      this.partial += this.decoder.decode(bytes.subarray(start), { stream: true });
    }
    this.totalBytes += bytes.length;
    if (this.lines.length > MAX_LINES) {
      const drop = Math.floor(MAX_LINES / 10);
      this.lines.splice(0, drop);
      this.offsets.splice(0, drop);
      this.dropped += drop;
      this.current = Math.max(-1, this.current - drop);
      if (!this.follow) this.scroller.scrollTop = Math.max(0, this.scroller.scrollTop - drop * LINE_HEIGHT);
    }
    this.schedule();
  }

  /** The stream ended: shows a last line without a newline, and says so. */
  end(): void {
    if (this.partial !== "" && this.pendingBytes !== null) {
      this.lines.push(this.partial);
      this.offsets.push(this.pendingBytes);
      this.partial = "";
      this.pendingBytes = null;
    }
    this.complete = true;
    this.schedule();
  }

  lineCount(): number {
    return this.lines.length;
  }

  /** Searches (case-insensitive, colours ignored); jumps to the next match after the current one. */
  search(needle: string, backwards = false): number {
    const n = needle.toLowerCase();
    if (n !== this.needle) this.current = -1;
    this.needle = n;
    if (!n) { this.schedule(); return 0; }
    const count = this.lines.length;
    for (let k = 1; k <= count; k++) {
      const i = backwards
        ? ((this.current < 0 ? count : this.current) - k + count) % count
        : (this.current + k) % count;
      if (stripAnsi(this.lines[i]).toLowerCase().includes(n)) {
        this.current = i;
        this.reveal(i);
        return this.countMatches();
      }
    }
    this.schedule();
    return 0;
  }

  countMatches(): number {
    if (!this.needle) return 0;
    let c = 0;
    for (const line of this.lines) if (stripAnsi(line).toLowerCase().includes(this.needle)) c++;
    return c;
  }

  /** Marks the line that starts at byte `offset` (a link to a line) and scrolls to it. */
  highlightOffset(offset: number): boolean {
    const i = this.offsets.indexOf(offset);
    if (i < 0) return false;
    this.highlighted = i;
    this.reveal(i);
    return true;
  }

  scrollToEnd(): void {
    this.follow = true;
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.schedule();
  }

  focus(): void {
    this.scroller.focus();
  }

  private reveal(i: number): void {
    this.follow = false;
    this.scroller.scrollTop = Math.max(0, i * LINE_HEIGHT - this.scroller.clientHeight / 3);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const count = this.lines.length;
    this.spacer.style.height = `${count * LINE_HEIGHT}px`;
    if (this.follow) this.scroller.scrollTop = this.scroller.scrollHeight;
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / LINE_HEIGHT) - OVERSCAN);
    const last = Math.min(count, Math.ceil((top + this.scroller.clientHeight) / LINE_HEIGHT) + OVERSCAN);
    this.window.style.transform = `translateY(${first * LINE_HEIGHT}px)`;
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const offset = this.offsets[i];
      const num = this.dropped + i + 1;
      const text = h("span", { class: "log-text" });
      renderAnsi(text, this.lines[i], this.needle);
      const cls = i === this.current ? "log-line current" : i === this.highlighted ? "log-line linked" : "log-line";
      rows.push(h("div", { class: cls, "data-offset": offset },
        h("a", { class: "log-num", href: this.options.linkFor(offset), title: `link to this line (byte ${offset})`, tabindex: "-1" }, num),
        text));
    }
    this.window.replaceChildren(...rows);
    const dropped = this.dropped ? ` · ${this.dropped.toLocaleString()} earlier lines dropped from the page (download has them)` : "";
    this.status.textContent = `${count.toLocaleString()} lines · ${fmtBytes(this.totalBytes)} received` +
      (this.complete ? " · complete" : this.follow ? " · following" : " · paused (End to follow)") + dropped;
  }
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
