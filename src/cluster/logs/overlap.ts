/**
 * The exactness of reconnecting: what a resumed `pods/log` stream repeats, and how it is skipped.
 *
 * A dropped stream resumes with `sinceTime`. The API server passes `sinceTime` to the kubelet in
 * whole seconds (RFC 3339 without a fraction), and the kubelet keeps every line whose own
 * timestamp is at or after it, in file order. So the resumed stream R is, for the chosen second
 * S:  R = P ++ D ++ N, where
 *   - D = the lines already delivered whose timestamp is ≥ S, in the order they were delivered
 *     (a contiguous run: the kubelet applies the same per-line filter to the same file);
 *   - P = lines before the first delivered line that were never delivered on purpose (a `tail` or
 *     `since` of the first request cut them) but are ≥ S — possible only while D still starts at
 *     the very first delivered line;
 *   - N = the new lines.
 * Several lines may share one timestamp (and a line's timestamp need not grow: stdout and stderr
 * are stamped by different readers), so lines are matched on (timestamp, text hash) in sequence
 * rather than by "newer than the last timestamp".
 *
 * {@link DeliveredWindow} remembers (second, nanosecond, hash) of the delivered lines of the last
 * two seconds — all D can hold when S is the second of the last delivered line — in a growable
 * ring of typed arrays (no per-line objects). {@link OverlapSkipper} walks R against D: lines of P
 * and D are skipped, N is delivered. If R stops matching D part-way (the log was rotated or the
 * container replaced under the same name) the skipper delivers from there and says how many
 * expected lines were not replayed. vscode-free.
 */
import { compareInstant } from "./logText";

/** The delivered lines of one stream that a resume may repeat. */
export class DeliveredWindow {
  private sec = new Float64Array(1024);
  private nano = new Int32Array(1024);
  private hash = new Int32Array(1024);
  private seq = new Float64Array(1024);
  private head = 0;
  private len = 0;
  private total = 0;
  private lastSec = Number.NEGATIVE_INFINITY;
  private cutoff = Number.NEGATIVE_INFINITY;

  /** Lines recorded since the last {@link reset}. */
  get delivered(): number {
    return this.total;
  }

  /** Lines currently held (for tests of the memory bound). */
  get held(): number {
    return this.len;
  }

  /** Records a delivered line. */
  record(sec: number, nano: number, hash: number): void {
    if (this.len === this.sec.length) this.grow();
    const i = (this.head + this.len) % this.sec.length;
    this.sec[i] = sec;
    this.nano[i] = nano;
    this.hash[i] = hash;
    this.seq[i] = this.total++;
    this.len++;
    this.lastSec = sec;
    // Keep the current and the previous second of the last line; older entries can no longer be
    // asked for (the resume second is never below the highest cutoff used, see resumeSecond).
    const cut = sec - 1;
    if (cut > this.cutoff) this.cutoff = cut;
    const cap = this.sec.length;
    while (this.len > 0 && this.sec[this.head] < this.cutoff) {
      this.head = (this.head + 1) % cap;
      this.len--;
    }
  }

  /** The whole second a resume asks for (`sinceTime`), or undefined when nothing was delivered yet. */
  resumeSecond(): number | undefined {
    if (this.total === 0) return undefined;
    return Math.max(this.lastSec, this.cutoff);
  }

  /**
   * What a resume from second `since` repeats (D), and whether D starts at the first line this
   * window ever recorded (then P may precede it, when the first request was cut by tail/since).
   */
  overlap(since: number): Overlap {
    const cap = this.sec.length;
    const sec: number[] = [];
    const nano: number[] = [];
    const hash: number[] = [];
    let firstSeq = -1;
    for (let k = 0; k < this.len; k++) {
      const i = (this.head + k) % cap;
      if (this.sec[i] < since) continue;
      if (firstSeq < 0) firstSeq = this.seq[i];
      sec.push(this.sec[i]);
      nano.push(this.nano[i]);
      hash.push(this.hash[i]);
    }
    return { sec, nano, hash, startsAtFirst: firstSeq === 0 };
  }

  /** Forgets everything (a new container instance starts a new log). */
  reset(): void {
    this.head = 0;
    this.len = 0;
    this.total = 0;
    this.lastSec = Number.NEGATIVE_INFINITY;
    this.cutoff = Number.NEGATIVE_INFINITY;
  }

  private grow(): void {
    const cap = this.sec.length;
    const n = cap * 2;
    const sec = new Float64Array(n);
    const nano = new Int32Array(n);
    const hash = new Int32Array(n);
    const seq = new Float64Array(n);
    for (let k = 0; k < this.len; k++) {
      const i = (this.head + k) % cap;
      sec[k] = this.sec[i];
      nano[k] = this.nano[i];
      hash[k] = this.hash[i];
      seq[k] = this.seq[i];
    }
    this.sec = sec;
    this.nano = nano;
    this.hash = hash;
    this.seq = seq;
    this.head = 0;
  }
}

/** The lines a resume repeats (D), oldest first. */
export interface Overlap {
  sec: number[];
  nano: number[];
  hash: number[];
  /** D begins with the first line ever delivered on this stream (lines cut by tail may precede it). */
  startsAtFirst: boolean;
}

/** What the skipper decided for one line of a resumed stream. */
export type OverlapVerdict = "new" | "repeat" | "before";

/** Walks a resumed stream against the expected overlap. */
export class OverlapSkipper {
  private i = 0;
  private done: boolean;
  /** Lines skipped because they were delivered before (D). */
  repeats = 0;
  /** Lines skipped because they precede the first delivered line (P). */
  before = 0;
  /** Expected lines the server did not replay (set when the stream diverged from D). */
  missing = 0;
  /** True when the stream diverged from D part-way (a rotated log) or never contained it. */
  diverged = false;

  constructor(private readonly d: Overlap) {
    this.done = d.sec.length === 0;
  }

  /** True once every expected line was seen (or the stream diverged): later lines are all new. */
  get settled(): boolean {
    return this.done;
  }

  /** Classifies the next line of the resumed stream. */
  next(sec: number, nano: number, hash: number): OverlapVerdict {
    if (this.done) return "new";
    const d = this.d;
    const i = this.i;
    const c = compareInstant(sec, nano, d.sec[i], d.nano[i]);
    if (c === 0 && hash === d.hash[i]) {
      this.i++;
      this.repeats++;
      if (this.i === d.sec.length) this.done = true;
      return "repeat";
    }
    if (i === 0 && (c < 0 || (c === 0 && d.startsAtFirst))) {
      // Before the first expected line: an older line the server included (P), never shown.
      this.before++;
      return "before";
    }
    // The stream no longer matches what was delivered: deliver from here on.
    this.done = true;
    this.diverged = true;
    this.missing = d.sec.length - i;
    return "new";
  }
}
