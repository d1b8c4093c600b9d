// Container logs as the kubelet serves them: each container instance has a log made of explicit
// lines (startup banner, lines appended by tests) and synthetic lines produced at a configurable
// rate (computed from their index, so 100,000 lines/s cost nothing until read). Reading supports
// sinceTime/sinceSeconds, tailLines, timestamps and limitBytes; following streams new lines as
// they are produced until the container stops.

import { rfc3339Nano } from "./types";

/** One log line. */
export interface LogLine {
  /** Milliseconds since the epoch (fractional). */
  ts: number;
  text: string;
}

/** The log of one container instance (a restart starts a new one). */
export class ContainerLog {
  private readonly explicit: LogLine[] = [];
  private readonly followers = new Set<() => void>();
  /** When the container stopped (no lines after it). */
  endMs: number | undefined;

  /**
   * @param startMs when the container started
   * @param rate synthetic lines per second (0 = none)
   * @param line text of synthetic line k (0-based)
   */
  constructor(
    readonly startMs: number,
    readonly rate: number,
    private readonly line: (k: number) => string,
  ) {}

  /** Appends an explicit line now (or at `ts`) and wakes followers. */
  append(text: string, ts: number = Date.now()): void {
    this.explicit.push({ ts, text });
    for (const f of [...this.followers]) f();
  }

  /** Marks the container stopped; followers finish. */
  end(ms: number = Date.now()): void {
    if (this.endMs !== undefined) return;
    this.endMs = ms;
    for (const f of [...this.followers]) f();
  }

  /** Number of synthetic lines produced up to `now`. */
  syntheticCount(now: number): number {
    if (!this.rate) return 0;
    const until = Math.min(now, this.endMs ?? Infinity);
    return Math.max(0, Math.floor(((until - this.startMs) * this.rate) / 1000));
  }

  private syntheticTs(k: number): number {
    return this.startMs + ((k + 1) * 1000) / this.rate;
  }

  /** First synthetic index with ts >= since. */
  private syntheticFrom(since: number): number {
    if (!this.rate) return 0;
    return Math.max(0, Math.ceil(((since - this.startMs) * this.rate) / 1000 - 1));
  }

  /**
   * The lines produced up to `now`, with ts >= since, the last `tail` of them.
   * Returns them with a cursor for following.
   */
  read(now: number, since?: number, tail?: number): { lines: LogLine[]; cursor: Cursor } {
    const nSyn = this.syntheticCount(now);
    let k = since !== undefined ? Math.min(this.syntheticFrom(since), nSyn) : 0;
    let e = since !== undefined ? this.explicit.findIndex((l) => l.ts >= since) : 0;
    if (e < 0) e = this.explicit.length;
    const explicitEnd = this.explicit.filter((l) => l.ts <= now).length;
    if (tail !== undefined && tail >= 0) {
      // Walk back from the end, taking the later of the two sources each time.
      let ks = nSyn;
      let es = explicitEnd;
      let need = tail;
      while (need > 0 && (ks > k || es > e)) {
        const synTs = ks > k ? this.syntheticTs(ks - 1) : -Infinity;
        const expTs = es > e ? this.explicit[es - 1].ts : -Infinity;
        if (expTs >= synTs) es--;
        else ks--;
        need--;
      }
      k = ks;
      e = es;
    }
    const cursor: Cursor = { k, e };
    return { lines: this.advance(cursor, now), cursor };
  }

  /** Lines after the cursor up to `now` (in time order); moves the cursor. */
  advance(c: Cursor, now: number, max = Infinity): LogLine[] {
    const out: LogLine[] = [];
    const nSyn = this.syntheticCount(now);
    while (out.length < max) {
      const hasSyn = c.k < nSyn;
      const hasExp = c.e < this.explicit.length && this.explicit[c.e].ts <= now;
      if (!hasSyn && !hasExp) break;
      const synTs = hasSyn ? this.syntheticTs(c.k) : Infinity;
      // On a tie the synthetic line goes first: a follower may already have been sent it before
      // the explicit line (stamped with the same millisecond) was appended, and a re-read must
      // return the same order a follower saw.
      if (hasExp && this.explicit[c.e].ts < synTs) out.push(this.explicit[c.e++]);
      else {
        out.push({ ts: synTs, text: this.line(c.k) });
        c.k++;
      }
    }
    return out;
  }

  /** Registers a wake-up callback for new explicit lines and the end; returns the unregister. */
  onChange(fn: () => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }
}

/** A read position in a {@link ContainerLog}. */
export interface Cursor {
  k: number;
  e: number;
}

/** Formats lines as the kubelet sends them (optionally with RFC 3339 nano timestamps). */
export function formatLines(lines: LogLine[], timestamps: boolean): string {
  let s = "";
  for (const l of lines) s += timestamps ? `${rfc3339Nano(l.ts)} ${l.text}\n` : `${l.text}\n`;
  return s;
}
