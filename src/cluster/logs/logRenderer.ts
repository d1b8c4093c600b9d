/**
 * Turns a session's entries into what a view shows, and keeps the scrollback.
 *
 * - Terminal text (ANSI): each line prefixed with its pod's short name (and container when the
 *   pod has several), coloured per pod, padded to a common width; timestamps on request (dim);
 *   Spin's lines coloured by kind with the one-time explanation before the first of each kind;
 *   highlight-pattern matches in inverse video; notices marked by level. Lines end in CRLF for
 *   a pseudoterminal. Plain text (no ANSI, LF) for an output channel and for saving.
 * - Scrollback: the last `scrollback` entries in a ring (bounded memory); `plainText()` is what
 *   "Save Logs" writes. Clearing empties it.
 * - A cap (lines per second), only when the user set one: lines over it in a second are not
 *   rendered but counted per pod, and one summary line says how many and why; they stay in the
 *   scrollback. Notices are never capped.
 *
 * vscode-free: the benchmark measures the rendering, the views write its output.
 */
import type { LogEntry, LogLine, LogNotice } from "./logModel";
import { SPIN_EXPLANATIONS, type SpinLineKind } from "./spinLines";

/** Options of a {@link LogRenderer}. */
export interface RenderOptions {
  /** ANSI colours and CRLF (a pseudoterminal) or plain text with LF (an output channel). */
  ansi: boolean;
  timestamps: boolean;
  highlight?: RegExp[];
  /** Entries kept for saving (default 50,000). */
  scrollback?: number;
  /** Lines rendered per second at most (0 or undefined: no cap). */
  maxLinesPerSecond?: number;
  now?: () => number;
}

/** Counters of a renderer. */
export interface RenderStats {
  /** Lines rendered into the view. */
  rendered: number;
  /** Lines not rendered because of the cap (kept in the scrollback). */
  capped: number;
  /** Entries dropped from the scrollback's far end. */
  evicted: number;
}

const ESC = "\u001b[";
const RESET = `${ESC}0m`;
const POD_COLORS = ["36", "32", "33", "35", "34", "96", "92", "93", "95", "94"];
const SPIN_STYLE: Record<SpinLineKind, string> = {
  listening: "32",
  routes: "32",
  outboundDenied: "1;33",
  trap: "1;31",
  panic: "1;31",
  error: "31",
};

/** A fixed-capacity ring of entries. */
class Ring<T> {
  private items: (T | undefined)[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.min(capacity, 1024));
  }

  /** Adds an item; returns true when the oldest was dropped to make room. */
  push(item: T): boolean {
    if (this.size < this.items.length) {
      this.items[(this.head + this.size) % this.items.length] = item;
      this.size++;
      return false;
    }
    if (this.items.length < this.capacity) {
      // Grow (the ring starts small so short sessions stay small).
      const next = new Array<T | undefined>(Math.min(this.capacity, this.items.length * 2));
      for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
      this.items = next;
      this.head = 0;
      this.items[this.size++] = item;
      return false;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.items.length;
    return true;
  }

  *values(): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.items[(this.head + i) % this.items.length] as T;
  }

  clear(): void {
    this.items = new Array<T | undefined>(Math.min(this.capacity, 1024));
    this.head = 0;
    this.size = 0;
  }
}

/** Formats entries and keeps the scrollback. */
export class LogRenderer {
  readonly stats: RenderStats = { rendered: 0, capped: 0, evicted: 0 };
  private readonly ring: Ring<LogEntry>;
  private readonly highlight: RegExp[];
  private readonly now: () => number;
  private width = 0;
  private windowStart = 0;
  private windowCount = 0;
  private readonly cappedBy = new Map<string, number>();
  private timestampsOn: boolean;

  constructor(private readonly o: RenderOptions) {
    this.ring = new Ring<LogEntry>(Math.max(1, o.scrollback ?? 50_000));
    this.highlight = (o.highlight ?? []).map((r) => new RegExp(r.source, r.flags.includes("g") ? r.flags : `${r.flags}g`));
    this.now = o.now ?? Date.now;
    this.timestampsOn = o.timestamps;
  }

  /** Whether lines show their timestamps. */
  get timestamps(): boolean {
    return this.timestampsOn;
  }

  set timestamps(on: boolean) {
    this.timestampsOn = on;
  }

  /** Entries in the scrollback. */
  get stored(): number {
    return this.ring.size;
  }

  /** Renders a batch: returns the text to write (stores every entry in the scrollback). */
  render(entries: readonly LogEntry[]): string {
    let out = this.capSummary(false);
    const cap = this.o.maxLinesPerSecond ?? 0;
    const nl = this.o.ansi ? "\r\n" : "\n";
    for (const e of entries) {
      if (this.ring.push(e)) this.stats.evicted++;
      if (e.kind === "notice") {
        out += this.notice(e) + nl;
        continue;
      }
      if (cap > 0) {
        const t = this.now();
        if (t - this.windowStart >= 1000) {
          out += this.capSummary(true);
          this.windowStart = t;
          this.windowCount = 0;
        }
        if (this.windowCount >= cap) {
          this.stats.capped++;
          this.cappedBy.set(e.source.label, (this.cappedBy.get(e.source.label) ?? 0) + 1);
          continue;
        }
        this.windowCount++;
      }
      if (e.explain && e.spin) out += this.explanation(e.spin.kind) + nl;
      out += this.line(e) + nl;
      this.stats.rendered++;
    }
    return out;
  }

  /** The summary of capped lines once their second is over (call it on a timer so it shows when lines stop). */
  tick(): string {
    return this.capSummary(false);
  }

  private capSummary(force: boolean): string {
    if (this.cappedBy.size === 0) return "";
    if (!force && this.now() - this.windowStart < 1000) return "";
    let total = 0;
    for (const n of this.cappedBy.values()) total += n;
    const parts = [...this.cappedBy].map(([label, n]) => `${label} ${n.toLocaleString("en-US")}`).join(", ");
    this.cappedBy.clear();
    const text = `⋯ ${total.toLocaleString("en-US")} line${total === 1 ? "" : "s"} not shown in the last second (${parts}): more than the ${(this.o.maxLinesPerSecond ?? 0).toLocaleString("en-US")} lines/s cap set in spinkube.logs.maxLinesPerSecond. They are kept in the buffer (Save Logs writes them).`;
    return (this.o.ansi ? `${ESC}33m${text}${RESET}` : text) + (this.o.ansi ? "\r\n" : "\n");
  }

  /** The scrollback as plain text (what Save Logs writes). */
  plainText(): string {
    const parts: string[] = [];
    for (const e of this.ring.values()) {
      if (e.kind === "notice") parts.push(this.plainNotice(e));
      else {
        if (e.explain && e.spin) parts.push(`ℹ SpinKube: ${SPIN_EXPLANATIONS[e.spin.kind]}`);
        parts.push(this.plainLine(e));
      }
    }
    return parts.length ? `${parts.join("\n")}\n` : "";
  }

  /** Empties the scrollback. */
  clear(): void {
    this.ring.clear();
    this.cappedBy.clear();
  }

  private prefix(label: string): string {
    if (label.length > this.width) this.width = Math.min(40, label.length);
    return label.length < this.width ? label + " ".repeat(this.width - label.length) : label;
  }

  private line(l: LogLine): string {
    if (!this.o.ansi) return this.plainLine(l);
    const color = POD_COLORS[l.source.color % POD_COLORS.length];
    let s = `${ESC}${color}m${this.prefix(l.source.label)}${RESET} `;
    if (this.timestampsOn && l.ts) s += `${ESC}2m${l.ts}${ESC}22m `;
    const text = l.highlight && this.highlight.length ? this.highlighted(l.text) : l.text;
    s += l.spin ? `${ESC}${SPIN_STYLE[l.spin.kind]}m${text}${RESET}` : text;
    if (l.cut) s += ` ${ESC}2m… [${l.cut.toLocaleString("en-US")} more bytes not shown]${ESC}22m`;
    return s;
  }

  private plainLine(l: LogLine): string {
    let s = `${this.prefix(l.source.label)} `;
    if (this.timestampsOn && l.ts) s += `${l.ts} `;
    s += l.text;
    if (l.cut) s += ` … [${l.cut} more bytes not shown]`;
    return s;
  }

  /** Wraps every match of the highlight patterns in inverse video (ranges merged first). */
  private highlighted(text: string): string {
    const ranges: [number, number][] = [];
    for (const r of this.highlight) {
      r.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = r.exec(text))) {
        if (m[0].length === 0) {
          r.lastIndex++;
          continue;
        }
        ranges.push([m.index, m.index + m[0].length]);
      }
    }
    if (!ranges.length) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = "";
    let pos = 0;
    let cur = ranges[0];
    const emit = (r: [number, number]): void => {
      out += `${text.slice(pos, r[0])}${ESC}7m${text.slice(r[0], r[1])}${ESC}27m`;
      pos = r[1];
    };
    for (const r of ranges.slice(1)) {
      if (r[0] <= cur[1]) cur = [cur[0], Math.max(cur[1], r[1])];
      else {
        emit(cur);
        cur = r;
      }
    }
    emit(cur);
    return out + text.slice(pos);
  }

  private explanation(kind: SpinLineKind): string {
    const text = `ℹ SpinKube: ${SPIN_EXPLANATIONS[kind]}`;
    return this.o.ansi ? `${ESC}36m${text}${RESET}` : text;
  }

  private notice(n: LogNotice): string {
    const text = this.plainNotice(n);
    if (!this.o.ansi) return text;
    const style = n.level === "error" ? "1;31" : n.level === "warning" ? "33" : "2;36";
    return `${ESC}${style}m${text}${RESET}`;
  }

  private plainNotice(n: LogNotice): string {
    const mark = n.level === "error" ? "✖" : n.level === "warning" ? "⚠" : "──";
    return `${mark} ${n.source ? `${n.source.label}: ` : ""}${n.text}`;
  }
}
