/**
 * The text layer of log streaming: bytes from a `pods/log` response become lines (split on the
 * byte 0x0A, each line decoded on its own so invalid UTF-8 becomes U+FFFD and never spills into
 * the next line; over-long lines are cut at a byte limit on a character boundary), the
 * Kubernetes timestamp prefix of each line (RFC 3339 with up to nine fraction digits, any zone)
 * becomes a comparable (seconds, nanoseconds) pair without allocating a Date per line, control
 * characters are escaped so a log can never drive the terminal, and the options kubectl and
 * stern users type (`--since=1h30m`, `--since-time`, `--tail`) are parsed.
 *
 * vscode-free and allocation-light: this runs once per line at up to 100,000 lines/s.
 */

const NL = 0x0a;

/** Receives one complete line: its text (decoded) and how many bytes were cut from its end. */
export type LineSink = (line: string, cutBytes: number) => void;

/**
 * Splits a byte stream into lines. A line longer than `maxLineBytes` keeps its first
 * `maxLineBytes` bytes (cut back to a UTF-8 character boundary) and reports the rest as cut.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private kept = 0;
  private cut = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; calls `sink` for every line completed by it. */
  push(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    const len = chunk.length;
    while (start < len) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) {
        this.hold(chunk, start, len);
        return;
      }
      if (this.kept === 0 && this.cut === 0) {
        const n = nl - start;
        if (n <= this.maxLineBytes) sink(chunk.toString("utf8", start, nl), 0);
        else this.emitCut(chunk, start, start + this.maxLineBytes, n - this.maxLineBytes, sink);
      } else {
        this.hold(chunk, start, nl);
        const whole = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.kept);
        const cut = this.cut;
        this.parts = [];
        this.kept = 0;
        this.cut = 0;
        if (cut) this.emitCut(whole, 0, whole.length, cut, sink);
        else sink(whole.toString("utf8"), 0);
      }
      start = nl + 1;
    }
  }

  /** True when an unterminated line is held. */
  get pending(): boolean {
    return this.kept > 0 || this.cut > 0;
  }

  /** Emits the held unterminated line (the stream ended cleanly without a final newline). */
  flush(sink: LineSink): void {
    if (!this.pending) return;
    const whole = Buffer.concat(this.parts, this.kept);
    const cut = this.cut;
    this.discard();
    if (cut) this.emitCut(whole, 0, whole.length, cut, sink);
    else sink(whole.toString("utf8"), 0);
  }

  /** Emits bytes [from, to) of a cut line, ending on a character boundary; `cut` counts every byte not shown. */
  private emitCut(buf: Buffer, from: number, to: number, cut: number, sink: LineSink): void {
    const end = charBoundary(buf, from, to);
    sink(buf.toString("utf8", from, end), cut + (to - end));
  }

  /** Forgets the held partial line (the connection dropped mid-line: it is read again). */
  discard(): void {
    this.parts = [];
    this.kept = 0;
    this.cut = 0;
  }

  private hold(chunk: Buffer, from: number, to: number): void {
    const room = this.maxLineBytes - this.kept;
    const n = to - from;
    if (n <= room) {
      if (n > 0) {
        // Copy: the chunk may be a view into a pooled buffer.
        this.parts.push(Buffer.from(chunk.subarray(from, to)));
        this.kept += n;
      }
      return;
    }
    if (room > 0) {
      this.parts.push(Buffer.from(chunk.subarray(from, from + room)));
      this.kept += room;
    }
    this.cut += n - Math.max(0, room);
  }
}

/** `to`, moved back so that bytes [from, to) do not end inside a UTF-8 character. */
function charBoundary(buf: Buffer, from: number, to: number): number {
  // Back up over continuation bytes (10xxxxxx) to the lead byte, then drop an incomplete sequence.
  let i = to - 1;
  let back = 0;
  while (i >= from && back < 3 && (buf[i] & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i >= from) {
    const lead = buf[i];
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (need > 1 && to - i < need) return i;
  }
  return to;
}

/**
 * Parses the Kubernetes timestamp at the start of a line (what `timestamps=true` adds:
 * `2024-05-01T10:00:00.123456789Z <text>`). Go's RFC3339Nano trims trailing zeros and a node
 * may report another zone, so the fraction has 0–9 digits and the zone is `Z` or `±hh:mm`.
 * After a successful {@link parse}, `sec` (whole seconds since the epoch, UTC), `nano`, `textStart`
 * and `stampEnd` describe the line. Seconds are cached per distinct prefix, so consecutive lines of
 * one second cost a string comparison.
 */
export class TimestampParser {
  sec = 0;
  nano = 0;
  /** Index of the first character of the text (after the separating space). */
  textStart = 0;
  /** Index of the space after the timestamp. */
  stampEnd = 0;
  private lastHead = "";
  private lastSec = 0;

  /** Parses the timestamp prefix; false when the line has none (then `sec`/`nano` are unchanged). */
  parse(line: string): boolean {
    const sp = line.indexOf(" ");
    if (sp < 20 || line.charCodeAt(4) !== 45 /* - */ || line.charCodeAt(10) !== 84 /* T */) return false;
    // Zone: "Z" (the usual case) or ±hh:mm.
    let zoneStart = sp - 1;
    if (line.charCodeAt(zoneStart) !== 90 /* Z */) {
      zoneStart = sp - 6;
      const c = line.charCodeAt(zoneStart);
      if (c !== 43 && c !== 45) return false;
    }
    let nano = 0;
    if (line.charCodeAt(19) === 46 /* . */) {
      let digits = 0;
      for (let i = 20; i < zoneStart; i++) {
        const d = line.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return false;
        if (digits < 9) {
          nano = nano * 10 + d;
          digits++;
        }
      }
      for (; digits < 9; digits++) nano *= 10;
    } else if (zoneStart !== 19) return false;
    const head = zoneStart === sp - 1 ? line.slice(0, 19) : `${line.slice(0, 19)}${line.slice(zoneStart, sp)}`;
    let sec: number;
    if (head === this.lastHead) sec = this.lastSec;
    else {
      const ms = Date.parse(head.length === 19 ? `${head}Z` : head);
      if (Number.isNaN(ms)) return false;
      sec = Math.floor(ms / 1000);
      this.lastHead = head;
      this.lastSec = sec;
    }
    this.sec = sec;
    this.nano = nano;
    this.stampEnd = sp;
    this.textStart = sp + 1;
    return true;
  }
}

/** Orders two (seconds, nanoseconds) instants: negative, zero or positive. */
export function compareInstant(aSec: number, aNano: number, bSec: number, bNano: number): number {
  return aSec !== bSec ? aSec - bSec : aNano - bNano;
}

/** RFC 3339 (whole seconds, UTC) of an epoch second — the `sinceTime` a reconnect asks for. */
export function rfc3339Seconds(sec: number): string {
  return new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A 32-bit FNV-1a hash of a string (identifies a line's text in the reconnect overlap). */
export function hashText(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

// C0 controls except tab, DEL, C1 controls, and the bidirectional overrides/isolates that can make
// a line display differently from what it contains.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes a log line safe to show in a terminal or an output channel: a trailing CR (CRLF logs) is
 * dropped, every other control character (ESC included, so a log cannot move the cursor or change
 * colours) becomes a visible `\xNN` (`\u202E` for bidi controls); invalid UTF-8 is already U+FFFD.
 */
export function sanitizeLine(s: string): string {
  if (!UNSAFE.test(s)) return s;
  if (s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  return s.replace(UNSAFE_ALL, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).toUpperCase().padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/** A duration like kubectl's `--since`: `90s`, `5m`, `1h30m`, `2h`, `1.5h`, `500ms`. Returns seconds or undefined. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const v = Number(m[1]);
    total += m[2] === "h" ? v * 3600 : m[2] === "m" ? v * 60 : m[2] === "s" ? v : v / 1000;
    pos = re.lastIndex;
  }
  if (pos !== s.length || pos === 0) return undefined;
  return total;
}

/** When logs should start: a duration back from now (`sinceSeconds`) or a point in time (`sinceTime`). */
export type Since = { seconds: number } | { time: string };

/**
 * Parses what a user types for "since": a duration (`10m`, `1h30m`) as kubectl's `--since`, or an
 * RFC 3339 time (`2024-05-01T10:00:00Z`) as `--since-time`. Throws with a message for anything else.
 */
export function parseSince(text: string): Since | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const d = parseDuration(s);
  if (d !== undefined) {
    if (d <= 0) throw new Error(`"${s}" is not a positive duration.`);
    return { seconds: Math.max(1, Math.ceil(d)) };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))) {
    return { time: new Date(Date.parse(s)).toISOString().replace(/\.\d{3}Z$/, "Z") };
  }
  throw new Error(`"${s}" is neither a duration (like 10m or 1h30m) nor an RFC 3339 time (like 2024-05-01T10:00:00Z).`);
}

/** Parses a tail value: a whole number ≥ 0, or -1 / empty for all lines. */
export function parseTail(text: string): number | undefined {
  const s = text.trim();
  if (s === "" || s === "-1" || /^all$/i.test(s)) return undefined;
  if (!/^\d+$/.test(s)) throw new Error(`"${s}" is not a number of lines (a whole number, or -1 for all).`);
  return Number(s);
}

/** Compiles user regexes; throws naming the bad one. */
export function compilePatterns(patterns: readonly string[], what: string): RegExp[] {
  return patterns
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      try {
        return new RegExp(p);
      } catch (err) {
        throw new Error(`The ${what} pattern ${JSON.stringify(p)} is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
}

/** "0.4 s", "12 s", "3 min 5 s": how long a stream was disconnected. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m} min ${s} s` : `${m} min`;
}

/** Local wall-clock time with milliseconds (HH:MM:SS.mmm) for notices. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
