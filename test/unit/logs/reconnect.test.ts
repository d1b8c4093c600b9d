// The reconnect guarantee, over HTTPS against the test API server: every connection (log streams,
// pod watches, keep-alive sockets) is killed several times in the middle of streams of three pods
// writing 2,000 lines/s each plus bursts of lines that share one timestamp; the lines received
// per pod must equal the lines the pod produced — nothing lost, nothing twice, in order. Then the
// server refuses connections for a while: the view is told how long the stream was down.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Collector, logFixture, runningPods, spinApp, type LogFixture } from "./helpers";

describe("reconnecting log streams", { timeout: 60_000 }, () => {
  let f: LogFixture;

  before(async () => {
    f = await logFixture({ logLinesPerSecond: 2000 });
  });
  after(() => f.stop());

  test("killing every connection mid-stream six times: received == produced, no loss, no duplicates", async () => {
    f.cluster.apply(spinApp("exact", 3));
    const pods = await runningPods(f.cluster, "exact", 3);
    const c = new Collector(f.client, { namespace: "default", app: "exact" }).start();
    let burst = 0;
    // Bursts of five lines appended in one synchronous loop: they share a millisecond timestamp.
    const bursts = setInterval(() => {
      for (const p of pods) for (let i = 0; i < 5; i++) f.cluster.appendLog("default", p, "exact", `burst ${burst} line ${i} of ${p}`);
      burst++;
    }, 15);
    try {
      for (let drop = 1; drop <= 6; drop++) {
        const seen = c.lines().length;
        await c.until(() => c.lines().length >= seen + 2500, `more lines before drop ${drop}`);
        f.cluster.faults.dropConnections();
      }
      await c.until(() => c.session.followers().every((x) => x.status === "streaming" && x.stats.drops >= 3), "every stream reconnected after the last drop");
      clearInterval(bursts);
      const produced = new Map(pods.map((p) => [p, f.cluster.logLines("default", p, "exact")]));
      await c.until(() => pods.every((p) => c.texts(p).length >= (produced.get(p)?.length ?? 0)), "everything produced until now received");
      for (const p of pods) {
        const got = c.texts(p);
        const want = produced.get(p) ?? [];
        assert.ok(want.length > 1000, `${p} produced ${want.length} lines`);
        // Exactly what was produced, in order: compare the prefix element-wise, then check the rest is what came after.
        const mismatch = want.findIndex((t, i) => got[i] !== t);
        assert.equal(mismatch, -1, `${p}: first difference at line ${mismatch}: got ${JSON.stringify(got[mismatch])}, want ${JSON.stringify(want[mismatch])}`);
        const now = f.cluster.logLines("default", p, "exact");
        assert.deepEqual(got, now.slice(0, got.length), `${p}: no line received twice or out of order after the snapshot`);
        assert.equal(new Set(got).size, got.length, `${p}: every line is unique and received once`);
      }
      const stats = c.session.followers().map((x) => x.stats);
      // A drop that lands while a stream is between two connections does not count for it.
      assert.ok(stats.every((s) => s.drops >= 3) && stats.reduce((n, s) => n + s.drops, 0) >= 12, `every stream dropped several times: ${JSON.stringify(stats.map((s) => s.drops))}`);
      assert.ok(stats.reduce((n, s) => n + s.repeats, 0) > 0, "the resumes repeated lines that were skipped");
      const sharedTs = c.lines().filter((l, i, all) => i > 0 && all[i - 1].ts === l.ts && all[i - 1].source === l.source).length;
      assert.ok(sharedTs > 50, `lines sharing a timestamp were received (${sharedTs})`);
      const rec = c.notices("reconnected");
      assert.ok(rec.length >= 3, `reconnect notices (${rec.length})`);
      assert.match(rec[0].text, /was interrupted at \d\d:\d\d:\d\d\.\d{3} for \d+\.\d s; resumed where it stopped/);
      assert.ok(rec.every((n) => typeof n.downMs === "number" && n.downMs >= 0));
      assert.equal(c.notices("diverged").length, 0, "no resume diverged");
    } finally {
      clearInterval(bursts);
      c.stop();
    }
  });

  test("the container restarts while the stream is down: the old instance's last lines, then the new instance whole", async () => {
    f.cluster.apply(spinApp("outage", 1));
    const [pod] = await runningPods(f.cluster, "outage", 1);
    const c = new Collector(f.client, { namespace: "default", app: "outage" }).start();
    try {
      await c.until(() => c.texts(pod).length >= 300, "lines before the outage");
      await f.cluster.faults.refuseFor(500);
      f.cluster.appendLog("default", pod, "outage", "written while nobody was connected");
      f.cluster.restartContainer("default", pod, "outage", 2);
      const previous = f.cluster.logLines("default", pod, "outage", true);
      await c.until(() => c.texts(pod).length >= previous.length + 300, "the new instance streams");
      const current = f.cluster.logLines("default", pod, "outage");
      const got = c.texts(pod);
      // The line written during the outage is among the old instance's last (the pod's own request
      // lines may still land after it before the container stops), and its exit is the very last.
      assert.ok(previous.slice(-5).includes("written while nobody was connected"), previous.slice(-5).join(" | "));
      assert.equal(previous.at(-1), "Error: exited with code 2");
      assert.deepEqual(got.slice(0, previous.length), previous, "the old instance, including what it wrote during the outage");
      assert.deepEqual(got.slice(previous.length), current.slice(0, got.length - previous.length), "then the new instance from its first line");
      assert.ok(c.notices("restarted").length >= 1);
    } finally {
      c.stop();
    }
  });

  test("a server that refuses connections for 600 ms: the stream says how long it was down and loses nothing", async () => {
    f.cluster.apply(spinApp("refused", 1));
    const [pod] = await runningPods(f.cluster, "refused", 1);
    const c = new Collector(f.client, { namespace: "default", app: "refused" }, { downNoticeMs: 300 }).start();
    try {
      await c.until(() => c.texts(pod).length >= 500, "lines before the outage");
      await f.cluster.faults.refuseFor(600);
      const rec = await c.until(() => c.notices("reconnected")[0], "reconnected after the outage");
      assert.ok((rec.downMs ?? 0) >= 500, `down for ${rec.downMs} ms`);
      assert.ok(c.notices("disconnected").length >= 1, "a notice while it was down");
      assert.match(c.notices("disconnected")[0].text, /disconnected at \d\d:\d\d:\d\d\.\d{3} \(.+\); reconnecting…/);
      const want = f.cluster.logLines("default", pod, "refused");
      await c.until(() => c.texts(pod).length >= want.length, "caught up");
      assert.deepEqual(c.texts(pod).slice(0, want.length), want);
    } finally {
      c.stop();
    }
  });
});
