// The pure parts of log streaming: splitting and decoding, timestamps (any fraction length, any
// zone), since/tail parsing, the reconnect overlap (shared timestamps, timestamps that go back,
// lines a tail cut, a rotated log, a new container instance), Spin line recognition on the lines
// Spin prints (FACTS.md (c), spinframework/spin trigger and outbound-networking messages), and
// the renderer (prefixes, colours, timestamps, highlights, the cap summary, the scrollback bound).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DeliveredWindow,
  LineSplitter,
  LogRenderer,
  OverlapSkipper,
  SpinLineRecognizer,
  TimestampParser,
  hashText,
  parseDuration,
  parseSince,
  parseTail,
  sanitizeLine,
  type LogLine,
  type LogSource,
} from "../../../src/cluster/logs";

function split(chunks: (string | number[])[], max = 100): [string, number][] {
  const s = new LineSplitter(max);
  const out: [string, number][] = [];
  for (const c of chunks) s.push(typeof c === "string" ? Buffer.from(c) : Buffer.from(c), (l, cut) => out.push([l, cut]));
  s.flush((l, cut) => out.push([l, cut]));
  return out;
}

describe("log text", () => {
  test("lines split across chunks, a character split across chunks, invalid bytes, a final line without newline", () => {
    assert.deepEqual(split(["a\nb", "c\n", [0xe2, 0x82], [0xac, 0x0a], [0xff, 0x41, 0x0a], "tail"]), [
      ["a", 0],
      ["bc", 0],
      ["€", 0],
      ["\ufffdA", 0],
      ["tail", 0],
    ]);
  });

  test("a long line held across chunks is cut at the limit on a character boundary, counting every byte not shown", () => {
    const out = split(["ab", "€€€€", "cd\nnext\n"], 7);
    assert.deepEqual(out, [
      ["ab€", 16 - 5],
      ["next", 0],
    ]);
    assert.deepEqual(split(["x".repeat(12) + "\n"], 5), [["xxxxx", 7]]);
  });

  test("timestamps: nine, fewer or no fraction digits, Z or an offset; lines without one", () => {
    const p = new TimestampParser();
    assert.ok(p.parse("2024-05-01T10:00:00.123456789Z hello"));
    assert.deepEqual([p.sec, p.nano, p.textStart], [Date.UTC(2024, 4, 1, 10) / 1000, 123456789, 31]);
    assert.ok(p.parse("2024-05-01T10:00:00.5Z x"));
    assert.equal(p.nano, 500_000_000);
    assert.ok(p.parse("2024-05-01T10:00:00Z x"));
    assert.deepEqual([p.sec, p.nano], [Date.UTC(2024, 4, 1, 10) / 1000, 0]);
    assert.ok(p.parse("2024-05-01T12:00:00.25+02:00 x"));
    assert.deepEqual([p.sec, p.nano], [Date.UTC(2024, 4, 1, 10) / 1000, 250_000_000]);
    assert.ok(!p.parse("no timestamp here"));
    assert.ok(!p.parse("2024-05-01T10:00:00.12x4Z y"));
  });

  test("since, tail and escapes", () => {
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("500ms"), 0.5);
    assert.equal(parseDuration("5 minutes"), undefined);
    assert.deepEqual(parseSince("10m"), { seconds: 600 });
    assert.deepEqual(parseSince("2024-05-01T12:00:00+02:00"), { time: "2024-05-01T10:00:00Z" });
    assert.equal(parseSince(""), undefined);
    assert.throws(() => parseSince("yesterday"), /neither a duration \(like 10m or 1h30m\) nor an RFC 3339 time/);
    assert.equal(parseTail("-1"), undefined);
    assert.equal(parseTail("100"), 100);
    assert.throws(() => parseTail("ten"), /not a number of lines/);
    assert.equal(sanitizeLine("plain\ttext"), "plain\ttext");
    assert.equal(sanitizeLine("a\u0085b\r"), "a\\x85b");
  });
});

/** A resume: the delivered lines (sec, nano, text), what the server replays, and what the skipper keeps. */
function resume(delivered: [number, number, string][], replay: [number, number, string][]): { kept: string[]; sk: OverlapSkipper; since: number } {
  const w = new DeliveredWindow();
  for (const [s, n, t] of delivered) w.record(s, n, hashText(t));
  const since = w.resumeSecond() ?? 0;
  const sk = new OverlapSkipper(w.overlap(since));
  const kept = replay.filter(([s, n, t]) => sk.next(s, n, hashText(t)) === "new").map(([, , t]) => t);
  return { kept, sk, since };
}

describe("reconnect overlap", () => {
  test("the server replays from the whole second: the repeated lines are skipped, even when several share a timestamp", () => {
    const delivered: [number, number, string][] = [
      [99, 900, "old"],
      [100, 5, "a"],
      [100, 7, "b1"],
      [100, 7, "b2"],
    ];
    const { kept, sk, since } = resume(delivered, [
      [100, 5, "a"],
      [100, 7, "b1"],
      [100, 7, "b2"],
      [100, 7, "b3"],
      [101, 0, "c"],
    ]);
    assert.equal(since, 100);
    assert.deepEqual(kept, ["b3", "c"], "b3 shares b2's timestamp and is new");
    assert.equal(sk.repeats, 3);
    assert.equal(sk.diverged, false);
  });

  test("timestamps that go back (stdout and stderr stamped apart) are matched by position, not by time", () => {
    const { kept } = resume(
      [
        [100, 50, "out"],
        [100, 40, "err"],
      ],
      [
        [100, 50, "out"],
        [100, 40, "err"],
        [100, 45, "new err"],
      ],
    );
    assert.deepEqual(kept, ["new err"]);
  });

  test("lines a tail cut before the first delivered line are not shown by a resume", () => {
    // tail=1 delivered only "third" of the three lines of second 100.
    const { kept, sk } = resume(
      [[100, 3, "third"]],
      [
        [100, 1, "first"],
        [100, 3, "second, same stamp as third"],
        [100, 3, "third"],
        [100, 9, "fourth"],
      ],
    );
    assert.deepEqual(kept, ["fourth"]);
    assert.equal(sk.before, 2);
  });

  test("a rotated log (the replay stops matching) and a new container instance are delivered, and said", () => {
    const rotated = resume(
      [
        [100, 1, "x"],
        [100, 2, "y"],
        [100, 3, "z"],
      ],
      [
        [100, 1, "x"],
        [100, 4, "w"],
      ],
    );
    assert.deepEqual(rotated.kept, ["w"]);
    assert.deepEqual([rotated.sk.diverged, rotated.sk.repeats, rotated.sk.missing], [true, 1, 2]);
    const fresh = resume(
      [
        [99, 1, "before"],
        [100, 1, "old instance"],
      ],
      [
        [100, 1, "Serving http://0.0.0.0:80"],
        [100, 2, "Available Routes:"],
      ],
    );
    assert.deepEqual(fresh.kept, ["Serving http://0.0.0.0:80", "Available Routes:"]);
    assert.equal(fresh.sk.diverged, true);
  });

  test("the window holds about two seconds of lines, whatever the rate", () => {
    const w = new DeliveredWindow();
    for (let s = 0; s < 10; s++) for (let i = 0; i < 10_000; i++) w.record(1000 + s, i, i);
    assert.equal(w.held, 20_000);
    assert.equal(w.resumeSecond(), 1009);
    assert.equal(w.overlap(1009).sec.length, 10_000);
    assert.equal(w.delivered, 100_000);
  });
});

describe("Spin lines", () => {
  const kinds = (lines: string[]): (string | undefined)[] => {
    const r = new SpinLineRecognizer();
    return lines.map((l) => r.recognize(l)?.kind);
  };

  test("the HTTP trigger banner and its routes (FACTS.md (c) spin up)", () => {
    assert.deepEqual(kinds(["", "Serving http://127.0.0.1:3000", "Available Routes:", "  hello: http://127.0.0.1:3000/hello", "  api: http://127.0.0.1:3000/api (wildcard)", "    An API component", "request handled"]), [
      undefined,
      "listening",
      "routes",
      "routes",
      "routes",
      "routes",
      undefined,
    ]);
  });

  test("denied outbound hosts, as Spin 2, Spin 3 factors and the hint line print them", () => {
    const r = new SpinLineRecognizer();
    assert.deepEqual(r.recognize("Warning: A component tried to make a HTTP request to non-allowed host 'https://example.com'."), { kind: "outboundDenied", host: "https://example.com" });
    assert.deepEqual(r.recognize("A component tried to make an outbound network connection to disallowed destination 'https://api.example.com:443'."), { kind: "outboundDenied", host: "https://api.example.com:443" });
    assert.deepEqual(r.recognize(`To allow this request, add 'allowed_outbound_hosts = ["https://api.example.com:443"]' to the manifest component section.`), { kind: "outboundDenied", host: "https://api.example.com:443" });
    assert.deepEqual(r.recognize("A component tried to make an HTTP request to its own app but it does not have permission."), { kind: "outboundDenied", host: "self" });
  });

  test("a panic with its message line and a trap with its Wasm backtrace, then ordinary lines again", () => {
    assert.deepEqual(
      kinds([
        "thread '<unnamed>' panicked at src/lib.rs:17:33:",
        "Expected exactly 8 bytes",
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        "Error: error while executing at wasm backtrace:",
        "    0: 0x2fbcd - hello.wasm!__rust_start_panic",
        "    1: 0x2fa44 - hello.wasm!rust_panic",
        "Caused by:",
        "    wasm trap: wasm `unreachable` instruction executed",
        "GET /ok 200",
      ]),
      ["panic", "panic", "panic", "trap", "trap", "trap", "trap", "trap", undefined],
    );
    assert.deepEqual(kinds(["Error: failed to start the application: component trapped: wasm trap: wasm `unreachable` instruction executed"]), ["trap"]);
    assert.deepEqual(kinds(["Error: Couldn't find trigger executor", "Caused by:", "    0: no such file", "next"]), ["error", "error", "error", undefined]);
    assert.deepEqual(kinds(["handled request #1: GET / -> 200 OK", "  indented but ordinary"]), [undefined, undefined]);
  });
});

describe("renderer", () => {
  const src = (label: string, color: number): LogSource => ({ namespace: "default", pod: label, uid: label, container: "c", label, color });
  const line = (source: LogSource, text: string, extra: Partial<LogLine> = {}): LogLine => ({ kind: "line", source, ts: "2024-05-01T10:00:00.000000001Z", text, cut: 0, ...extra });

  test("terminal text: coloured, aligned prefixes, timestamps on request, highlights, Spin colours with the explanation once, notices", () => {
    const r = new LogRenderer({ ansi: true, timestamps: false, highlight: [/err\w*/, /or/] });
    const a = src("x2k4p", 0);
    const b = src("legacy-pod/sidecar", 1);
    const out = r.render([
      line(a, "hello"),
      line(b, "an error here", { highlight: true }),
      line(a, "Serving http://0.0.0.0:80", { spin: { kind: "listening", url: "http://0.0.0.0:80" }, explain: true }),
      { kind: "notice", level: "warning", code: "disconnected", text: "dropped", source: a },
    ]);
    const rows = out.split("\r\n");
    assert.equal(rows[0], "\u001b[36mx2k4p\u001b[0m hello");
    assert.equal(rows[1], "\u001b[32mlegacy-pod/sidecar\u001b[0m an \u001b[7merror\u001b[27m here");
    assert.ok(rows[2].startsWith("\u001b[36mℹ SpinKube: Spin's HTTP trigger is up"), rows[2]);
    assert.equal(rows[3], "\u001b[36mx2k4p             \u001b[0m \u001b[32mServing http://0.0.0.0:80\u001b[0m");
    assert.equal(rows[4], "\u001b[33m⚠ x2k4p: dropped\u001b[0m");
    r.timestamps = true;
    assert.equal(r.render([line(a, "t")]), "\u001b[36mx2k4p             \u001b[0m \u001b[2m2024-05-01T10:00:00.000000001Z\u001b[22m t\r\n");
    assert.equal(r.stats.rendered, 4);
  });

  test("plain text for saving, a bounded scrollback, and a cap that summarises instead of rendering", () => {
    let now = 0;
    const r = new LogRenderer({ ansi: false, timestamps: false, scrollback: 3, maxLinesPerSecond: 2, now: () => now });
    const a = src("a", 0);
    const out = r.render([line(a, "1"), line(a, "2"), line(a, "3"), line(a, "4")]);
    assert.equal(out, "a 1\na 2\n");
    assert.equal(r.stats.capped, 2);
    assert.equal(r.stored, 3);
    assert.equal(r.stats.evicted, 1);
    assert.equal(r.plainText(), "a 2\na 3\na 4\n", "capped lines are kept for saving");
    now = 1500;
    assert.match(r.tick(), /^⋯ 2 lines not shown in the last second \(a 2\): more than the 2 lines\/s cap set in spinkube\.logs\.maxLinesPerSecond\. They are kept in the buffer \(Save Logs writes them\)\.\n$/);
    assert.equal(r.tick(), "");
    r.clear();
    assert.equal(r.plainText(), "");
  });
});
