// Bad input and faults, over HTTPS against the test API server: a pod whose log is forbidden
// (the others keep streaming), a user who may not read any log, a user who may not watch pods,
// a container still being created (waits, then joins), a sandbox that cannot be created (no
// runtime for the handler: the runtime diagnosis explains it), a crash-looping Spin app (the
// trap is recognised and explained once, the restarts followed), over-long lines and control
// characters; and invalid UTF-8 through a follower fed raw bytes.

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { KObject } from "../../cluster";
import { START_DELAY_ANNOTATION } from "../../cluster";
import { ContainerFollower, type LogLine, type LogNotice, type LogTransport } from "../../../src/cluster/logs";
import { Collector, logFixture, runningPods, spinApp, type LogFixture } from "./helpers";

describe("log streaming faults", { timeout: 90_000 }, () => {
  let f: LogFixture;

  before(async () => {
    f = await logFixture({
      logLinesPerSecond: 10,
      crashAfterMs: 300,
      crashBackoffMs: 600_000,
      users: [
        { name: "no-logs", rules: [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] }] },
        { name: "no-pods", rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }] },
      ],
    });
  });
  after(() => f.stop());

  test("a forbidden log for one pod: a clear message for it, the other pods keep streaming", async () => {
    f.cluster.apply(spinApp("rbac", 3));
    const pods = await runningPods(f.cluster, "rbac", 3);
    const denied = pods[1];
    f.cluster.faults.failNext(403, { path: new RegExp(`/pods/${denied}/log`), count: 1000 });
    const c = new Collector(f.client, { namespace: "default", app: "rbac" }).start();
    try {
      const forbidden = await c.until(() => c.notices("forbidden")[0], "the forbidden notice");
      assert.equal(forbidden.source?.pod, denied);
      assert.equal(forbidden.level, "error");
      assert.match(forbidden.text, new RegExp(`^may not read the log of ${denied}/rbac: injected fault: forbidden$`));
      const others = pods.filter((p) => p !== denied);
      await c.until(() => others.every((p) => c.texts(p).length >= 6), "the other pods stream on");
      assert.equal(c.texts(denied).length, 0);
      assert.equal(c.notices("forbidden").length, 1, "said once, not retried");
    } finally {
      f.cluster.faults.reset();
      c.stop();
    }
  });

  test("a user who may list pods but not read logs: the API server's message for every pod", async () => {
    f.cluster.apply(spinApp("nolog", 2));
    await runningPods(f.cluster, "nolog", 2);
    const c = new Collector(await f.clientAs("no-logs"), { namespace: "default", app: "nolog" }).start();
    try {
      const n = await c.until(() => c.notices("forbidden").length === 2 && c.notices("forbidden"), "two forbidden notices");
      for (const x of n) assert.match(x.text, /is forbidden: User "no-logs" cannot get resource "pods\/log" in API group "" in the namespace "default"/);
    } finally {
      c.stop();
    }
  });

  test("a user who may not watch pods: the session says why it cannot find them and ends", async () => {
    const c = new Collector(await f.clientAs("no-pods"), { namespace: "default", app: "rbac" }).start();
    await c.until(() => c.session.finished, "the session ends");
    const n = c.notices("forbidden");
    assert.equal(n.length, 1);
    assert.match(n[0].text, /^may not watch pods in namespace default \(RBAC\).*User "no-pods" cannot list resource "pods".*Following logs needs list and watch on pods and get on pods\/log\.$/);
  });

  test("a container still being created: the session waits and joins when it starts", async () => {
    const c = new Collector(f.client, { namespace: "default", app: "slow" }).start();
    try {
      await c.until(() => c.notices("noPods")[0], "no pods yet");
      f.cluster.apply(spinApp("slow", 1, { podAnnotations: { [START_DELAY_ANNOTATION]: "700" } }));
      const waiting = await c.until(() => c.notices("waiting")[0], "a waiting notice");
      assert.match(waiting.text, /^waiting for container slow to start \((ContainerCreating|Pending)\); its log joins here when it does\.$/);
      const [pod] = await runningPods(f.cluster, "slow", 1);
      await c.until(() => c.texts(pod).length >= 4, "its lines");
      assert.deepEqual(c.texts(pod), f.cluster.logLines("default", pod, "slow").slice(0, c.texts(pod).length));
      assert.ok(c.notices("joined").some((n) => n.text === `pod ${pod} joined.`));
    } finally {
      c.stop();
    }
  });

  test("a sandbox that cannot be created (no runtime for the handler): said, with the runtime diagnosis", async () => {
    f.cluster.apply([
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "wasmtime-spin-rcm" }, handler: "spin-v2" },
      { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinAppExecutor", metadata: { name: "rcm", namespace: "default" }, spec: { createDeployment: true, deploymentConfig: { runtimeClassName: "wasmtime-spin-rcm" } } },
      spinApp("noruntime", 1, { executor: "rcm" }),
    ] as KObject[]);
    const c = new Collector(f.client, { namespace: "default", app: "noruntime" }, { sandboxChecksMs: [300, 1500, 4000] }).start();
    try {
      const n = await c.until(() => c.notices("sandbox")[0], "the sandbox diagnosis");
      assert.equal(n.level, "error");
      assert.deepEqual(n.app, { namespace: "default", name: "noruntime" });
      assert.match(n.text, /cannot start its containers: Pods cannot start: node spinkube-worker has no containerd runtime "spin-v2" \(RuntimeClass wasmtime-spin-rcm\)\./);
      assert.match(n.text, /Kubernetes says: Failed to create pod sandbox: .*no runtime for "spin-v2" is configured/);
      assert.match(n.text, /Run "Check Runtime Readiness" on the SpinApp/);
      assert.equal(c.lines().length, 0);
    } finally {
      c.stop();
    }
  });

  test("a crash-looping Spin app: banner and trap recognised, explained once, both instances read, then the back-off said", async () => {
    f.cluster.apply(spinApp("crashy", 1, { image: "ghcr.io/example/crash-on-start:v1" }));
    const c = new Collector(f.client, { namespace: "default", app: "crashy" }).start();
    try {
      const wait = await c.until(() => c.notices("waiting").find((n) => /CrashLoopBackOff/.test(n.text)), "the crash loop back-off");
      assert.match(wait.text, /exited with code 1 \(Error\) and Kubernetes restarts it after a back-off \(CrashLoopBackOff\)/);
      const traps = c.lines().filter((l) => l.spin?.kind === "trap");
      assert.equal(traps.length, 2, "the trap of each instance");
      assert.equal(traps[0].text, "Error: failed to start the application: component trapped: wasm trap: wasm `unreachable` instruction executed");
      assert.deepEqual(traps.map((l) => !!l.explain), [true, false], "explained the first time only");
      const kinds = c.lines().slice(0, 3).map((l) => [l.spin?.kind, !!l.explain]);
      assert.deepEqual(kinds, [["listening", true], ["routes", true], ["routes", false]]);
      assert.equal(c.lines()[0].spin?.url, "http://0.0.0.0:80");
      assert.equal(c.notices("restarted").length, 1);
    } finally {
      c.stop();
    }
  });

  test("over-long lines are cut (and say by how much), control characters are escaped", async () => {
    f.cluster.apply(spinApp("weird", 1));
    const [pod] = await runningPods(f.cluster, "weird", 1);
    const c = new Collector(f.client, { namespace: "default", app: "weird" }, { maxLineBytes: 4096 }).start();
    try {
      await c.until(() => c.texts(pod).length >= 3, "streaming");
      f.cluster.appendLog("default", pod, "weird", "é".repeat(150_000));
      f.cluster.appendLog("default", pod, "weird", "\u001b[31mred\u001b[0m bell\u0007 tab\tdel\u007f rtl\u202e cr\r");
      f.cluster.appendLog("default", pod, "weird", "after");
      await c.until(() => c.texts(pod).includes("after"), "the lines after");
      const lines = c.lines(pod);
      const long = lines.find((l) => l.text.startsWith("éé"));
      assert.ok(long);
      assert.equal(Buffer.byteLength(`${long.ts} ${long.text}`), 4095, "cut on a character boundary within 4096 bytes");
      assert.ok(!long.text.includes("\ufffd"), "no broken character at the cut");
      assert.equal(long.cut, long.ts.length + 1 + 300_000 - 4095, "every byte not shown is counted");
      const ctl = lines.find((l) => l.text.includes("red"));
      assert.equal(ctl?.text, "\\x1b[31mred\\x1b[0m bell\\x07 tab\tdel\\x7f rtl\\u202E cr");
    } finally {
      c.stop();
    }
  });

  test("invalid UTF-8 and binary bytes: replacement characters, never a broken line; a character split across chunks is whole", async () => {
    const chunks = [
      Buffer.from("2024-05-01T10:00:00.000000001Z plain\n2024-05-01T10:00:00.000000002Z bad "),
      Buffer.from([0xff, 0xfe, 0x20, 0xc3]),
      Buffer.from([0xa9, 0x20, 0x00, 0x01, 0x0a]),
      Buffer.from("2024-05-01T10:00:00.5+02:00 zone\n2024-05-01T10:00:01Z last without newline"),
    ];
    const transport: LogTransport = {
      open: async () => ({ ok: true, body: Readable.from(chunks, { objectMode: false }), complete: () => true }),
    };
    const lines: LogLine[] = [];
    const notices: Omit<LogNotice, "kind" | "source">[] = [];
    await new Promise<void>((resolve) => {
      const follower = new ContainerFollower(
        { transport, source: { namespace: "default", pod: "p", uid: "u", container: "c", label: "p", color: 0 }, follow: false, previous: false, first: {}, maxLineBytes: 1024 },
        { line: (l) => lines.push(l), notice: (n) => notices.push(n), waiting: () => undefined, done: resolve },
      );
      follower.start({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, status: { containerStatuses: [{ name: "c", restartCount: 0, state: { running: {} } }] } });
    });
    assert.deepEqual(
      lines.map((l) => [l.ts, l.text]),
      [
        ["2024-05-01T10:00:00.000000001Z", "plain"],
        ["2024-05-01T10:00:00.000000002Z", "bad \ufffd\ufffd é \\x00\\x01"],
        ["2024-05-01T10:00:00.5+02:00", "zone"],
        ["2024-05-01T10:00:01Z", "last without newline"],
      ],
    );
    assert.deepEqual(notices, []);
  });
});
