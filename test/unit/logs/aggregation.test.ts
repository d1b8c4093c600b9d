// A SpinApp's logs over HTTPS from the test API server: every pod of the app in one stream
// (both label keys), pods that join and leave while streaming (scale up/down), a pod and a
// container as targets, since/tail, the previous container and a restart while following, and
// include/exclude/highlight filters.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KObject } from "../../cluster";
import { Collector, logFixture, runningPods, spinApp, type LogFixture } from "./helpers";

/** A raw pod (no Deployment) with labels and containers, as an injected sidecar or an old operator makes them. */
function rawPod(name: string, labels: Record<string, string>, containers: string[]): KObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: containers.map((c) => ({ name: c, image: `ghcr.io/example/${c}:v1` })) },
  };
}

describe("log sessions", { timeout: 90_000 }, () => {
  let f: LogFixture;

  before(async () => {
    f = await logFixture({ logLinesPerSecond: 20 });
  });
  after(() => f.stop());

  test("aggregates every pod of the app, each line prefixed with its pod", async () => {
    f.cluster.apply(spinApp("agg", 3));
    const pods = await runningPods(f.cluster, "agg", 3);
    const c = new Collector(f.client, { namespace: "default", app: "agg" }).start();
    try {
      await c.until(() => pods.every((p) => c.texts(p).filter((t) => t.includes("handled request")).length >= 3), "3 request lines from every pod");
      for (const p of pods) {
        const texts = c.texts(p);
        const produced = f.cluster.logLines("default", p, "agg");
        assert.deepEqual(texts, produced.slice(0, texts.length), `${p}: the lines in order, from the start`);
        assert.equal(texts[0], "Serving http://0.0.0.0:80");
        assert.equal(c.lines(p)[0].source.label, p.split("-").pop());
        assert.match(c.lines(p)[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      }
      assert.equal(new Set(c.lines().map((l) => l.source.color)).size, 3, "one colour per pod");
      assert.match(c.notices("joined")[0].text, /^3 pods: /);
      assert.match(c.notices("start")[0].text, /^following SpinApp default\/agg$/);
    } finally {
      c.stop();
    }
  });

  test("scale up and down while streaming: new pods join from their first line, removed pods finish and leave", async () => {
    f.cluster.apply(spinApp("scaled", 1));
    const [first] = await runningPods(f.cluster, "scaled", 1);
    const c = new Collector(f.client, { namespace: "default", app: "scaled" }).start();
    try {
      await c.until(() => c.texts(first).length >= 4, "the first pod streams");
      f.cluster.apply(spinApp("scaled", 3));
      const three = await runningPods(f.cluster, "scaled", 3);
      const added = three.filter((p) => p !== first);
      await c.until(() => added.every((p) => c.texts(p).length >= 5), "both new pods stream");
      for (const p of added) {
        assert.ok(c.notices("joined").some((n) => n.text === `pod ${p} joined.`), `${p} announced`);
        assert.deepEqual(c.texts(p).slice(0, 3), ["Serving http://0.0.0.0:80", "Available Routes:", "  scaled: http://0.0.0.0:80 (wildcard)"], `${p} read from its start`);
      }
      f.cluster.apply(spinApp("scaled", 1));
      const left = await c.until(() => c.notices("left").length >= 2 && c.notices("left"), "two pods left");
      const gone = three.filter((p) => left.some((n) => n.text.includes(p)));
      assert.equal(gone.length, 2);
      for (const p of gone) {
        const leftAt = c.entries.findIndex((e) => e.kind === "notice" && e.code === "left" && e.text.includes(p));
        const lastLine = c.entries.map((e, i) => (e.kind === "line" && e.source.pod === p ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
        assert.ok(lastLine < leftAt, `${p}: its lines come before "left"`);
      }
      const remaining = three.find((p) => !gone.includes(p)) ?? "";
      const before = c.texts(remaining).length;
      await c.until(() => c.texts(remaining).length > before + 2, "the remaining pod keeps streaming");
      assert.equal(c.session.stats.pods, 1);
    } finally {
      c.stop();
    }
  });

  test("a pod labelled by the pre-v0.4 operator (core.spinoperator.dev/app-name) and a two-container pod: every container, prefixed pod/container", async () => {
    f.cluster.apply(rawPod("legacy-pod", { "core.spinoperator.dev/app-name": "legacy" }, ["legacy", "sidecar"]));
    const c = new Collector(f.client, { namespace: "default", app: "legacy" }).start();
    try {
      await c.until(() => c.texts("legacy-pod", "legacy").length >= 2 && c.texts("legacy-pod", "sidecar").length >= 2, "both containers stream");
      const labels = new Set(c.lines("legacy-pod").map((l) => l.source.label));
      assert.deepEqual([...labels].sort(), ["legacy-pod/legacy", "legacy-pod/sidecar"]);
      assert.equal(c.texts("legacy-pod", "sidecar")[0], "Starting sidecar (ghcr.io/example/sidecar:v1)");
    } finally {
      c.stop();
    }
    const one = new Collector(f.client, { namespace: "default", app: "legacy", pod: "legacy-pod", container: "sidecar" }).start();
    try {
      await one.until(() => one.texts().length >= 3, "the sidecar alone");
      assert.deepEqual(new Set(one.lines().map((l) => l.source.container)), new Set(["sidecar"]));
      assert.equal(one.lines()[0].source.label, "legacy-pod", "one container: no container suffix");
      assert.match(one.notices("start")[0].text, /pod default\/legacy-pod, container sidecar$/);
    } finally {
      one.stop();
    }
  });

  test("tail: the last N lines of each pod present at the start, then live", async () => {
    f.cluster.apply(spinApp("tailed", 2));
    const pods = await runningPods(f.cluster, "tailed", 2);
    await f.cluster.waitFor(() => pods.every((p) => f.cluster.logLines("default", p, "tailed").length >= 10), 10_000, "some history");
    const c = new Collector(f.client, { namespace: "default", app: "tailed" }, { tail: 2 }).start();
    try {
      await c.until(() => pods.every((p) => c.texts(p).length >= 4), "tail then live lines");
      for (const p of pods) {
        const got = c.texts(p);
        const all = f.cluster.logLines("default", p, "tailed");
        const at = all.indexOf(got[0]);
        assert.ok(at >= 8, `${p}: starts near the end (line ${at} of ${all.length}), not at the start`);
        assert.deepEqual(got, all.slice(at, at + got.length), `${p}: contiguous from there`);
      }
      assert.match(c.notices("start")[0].text, /\(last 2 lines per container\)$/);
    } finally {
      c.stop();
    }
  });

  test("since: a duration and a point in time cut each pod's log at that time", async () => {
    f.cluster.apply(spinApp("since", 1));
    const [pod] = await runningPods(f.cluster, "since", 1);
    await f.cluster.waitFor(() => f.cluster.logLines("default", pod, "since").length >= 50, 10_000, "2.5 s of history");
    const all = new Collector(f.client, { namespace: "default", app: "since" }, { follow: false }).start();
    await all.until(() => all.session.finished, "a one-shot read");
    const lines = all.lines();
    assert.ok(lines.length >= 50);
    assert.equal(all.notices("done").length, 1);
    // A point in time: exactly the lines stamped at or after it.
    const cutTs = lines[30].ts.slice(0, 19) + "Z";
    const expected = lines.filter((l) => l.ts >= `${cutTs.slice(0, 19)}.000000000Z`).map((l) => l.text);
    const at = new Collector(f.client, { namespace: "default", app: "since" }, { follow: false, since: { time: cutTs } }).start();
    await at.until(() => at.session.finished, "since-time read");
    assert.deepEqual(at.texts().slice(0, expected.length), expected);
    assert.ok(at.texts().length < lines.length + 40, "older lines are not there");
    // A duration: only the last second or so.
    const recent = new Collector(f.client, { namespace: "default", app: "since" }, { follow: false, since: { seconds: 1 } }).start();
    await recent.until(() => recent.session.finished, "since-duration read");
    const n = recent.texts().length;
    assert.ok(n >= 10 && n <= 45, `about one second of lines at 20/s: ${n}`);
    const first = f.cluster.logLines("default", pod, "since").indexOf(recent.texts()[0]);
    assert.ok(first > 30, `starts late in the log (line ${first})`);
  });

  test("include, exclude and highlight patterns", async () => {
    f.cluster.apply(spinApp("filtered", 1));
    const [pod] = await runningPods(f.cluster, "filtered", 1);
    const c = new Collector(f.client, { namespace: "default", app: "filtered" }, { include: [/request #\d*[05]:/], exclude: [/#(10|20):/], highlight: [/#\d*0:/] }).start();
    try {
      await c.until(() => c.texts(pod).length >= 4, "filtered lines");
      const got = c.texts(pod);
      assert.ok(got.every((t) => /request #\d*[05]:/.test(t) && !/#(10|20):/.test(t)), got.join("\n"));
      const hl = c.lines(pod).filter((l) => l.highlight);
      assert.ok(hl.length >= 1 && hl.every((l) => /#\d*0:/.test(l.text)));
      assert.ok(c.lines(pod).filter((l) => !l.highlight).every((l) => /#\d*5:/.test(l.text)));
      assert.ok(c.session.stats.filtered > c.session.stats.emitted, "most lines were filtered out");
    } finally {
      c.stop();
    }
  });

  test("previous container: one read of each restarted container; a restart while following reads the new instance whole", async () => {
    f.cluster.apply(spinApp("restarts", 2));
    const [a, b] = await runningPods(f.cluster, "restarts", 2);
    const c = new Collector(f.client, { namespace: "default", app: "restarts" }).start();
    try {
      await c.until(() => c.texts(a).length >= 6, "pod a streams");
      const oldInstance = f.cluster.logLines("default", a, "restarts");
      f.cluster.restartContainer("default", a, "restarts", 3);
      await c.until(() => c.notices("restarted").length >= 1 && c.texts(a).filter((t) => t === "Serving http://0.0.0.0:80").length === 2 && c.texts(a).length >= oldInstance.length + 6, "the new instance streams");
      const prev = f.cluster.logLines("default", a, "restarts", true);
      const cur = f.cluster.logLines("default", a, "restarts");
      const got = c.texts(a);
      assert.equal(prev.at(-1), "Error: exited with code 3");
      assert.deepEqual(got.slice(0, prev.length), prev, "the whole old instance, its last line included");
      assert.deepEqual(got.slice(prev.length), cur.slice(0, got.length - prev.length), "then the new instance from its first line");
      assert.match(c.notices("restarted")[0].text, /exited with code 3: Error\); restart #1/);
    } finally {
      c.stop();
    }
    const p = new Collector(f.client, { namespace: "default", app: "restarts" }, { previous: true }).start();
    await p.until(() => p.session.finished, "the previous read finishes");
    assert.deepEqual(p.texts(a), f.cluster.logLines("default", a, "restarts", true));
    assert.equal(p.texts(b).length, 0);
    assert.ok(p.notices("noPrevious").some((n) => n.text.startsWith(`${b}/restarts has not restarted`)));
    assert.match(p.notices("start")[0].text, /^previous container logs of SpinApp default\/restarts$/);
  });
});
