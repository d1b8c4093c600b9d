// A SpinApp's logs over HTTPS from the test API server: every pod of the app in one stream
// (both label keys), pods that join and leave while streaming (scale up/down), per pod and per
// container targets, since/tail, the previous container, and include/exclude/highlight filters.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Collector, logFixture, runningPods, spinApp, type LogFixture } from "./helpers";

describe("log sessions", { timeout: 60_000 }, () => {
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
      }
      assert.deepEqual(new Set(c.lines().map((l) => l.source.color)).size, 3, "one colour per pod");
      assert.match(c.notices("joined")[0].text, /^3 pods: /);
    } finally {
      c.stop();
    }
  });
});
