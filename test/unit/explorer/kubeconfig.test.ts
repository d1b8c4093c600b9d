// Kubeconfig as kubectl reads it: the setting, else every KUBECONFIG file, else ~/.kube/config;
// first file wins; relative paths resolved against their file; "no config" is a state (never
// localhost:8080); the file watch reports changes.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { kubeconfigPaths, loadKubeconfig, watchKubeconfig } from "../../../src/cluster/kubeconfig";
import { ExplorerModel, MemoryExplorerMemory } from "../../../src/cluster/model";

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "spinkube-kc-"));
}

const kc = (ctx: string, cluster: string, server: string, extra = ""): string =>
  `apiVersion: v1\nkind: Config\ncurrent-context: ${ctx}\nclusters:\n- name: ${cluster}\n  cluster:\n    server: ${server}\n    certificate-authority: ca.crt\nusers:\n- name: ${ctx}-user\n  user:\n    token: t\ncontexts:\n- name: ${ctx}\n  context:\n    cluster: ${cluster}\n    user: ${ctx}-user\n${extra}`;

test("paths: setting first, then KUBECONFIG (several files), then ~/.kube/config", () => {
  const home = "/home/u";
  assert.deepEqual(kubeconfigPaths({ home }), [path.join(home, ".kube", "config")]);
  assert.deepEqual(kubeconfigPaths({ home, envKubeconfig: ["/a", "", "/b", "/a"].join(path.delimiter) }), ["/a", "/b"]);
  assert.deepEqual(kubeconfigPaths({ home, envKubeconfig: "/a", setting: "~/x.yaml" }), [path.join(home, "x.yaml")]);
});

test("no kubeconfig is a state of its own, never a localhost fallback", () => {
  const dir = tmp();
  try {
    const s = loadKubeconfig({ home: dir });
    assert.equal(s.kind, "none");
    assert.match(s.kind === "none" ? s.reason : "", /No kubeconfig found/);
    const model = new ExplorerModel({ kubeconfig: () => ({ home: dir }), memory: new MemoryExplorerMemory() });
    assert.deepEqual(model.children(), []);
    model.dispose();
    writeFileSync(path.join(dir, "broken"), "clusters: [");
    assert.equal(loadKubeconfig({ home: dir, setting: path.join(dir, "broken") }).kind, "invalid");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("several files merge as kubectl merges them: first wins, relative paths made absolute", () => {
  const dir = tmp();
  try {
    mkdirSync(path.join(dir, "one"));
    const a = path.join(dir, "one", "a.yaml");
    const b = path.join(dir, "b.yaml");
    writeFileSync(a, kc("alpha", "c1", "https://one:6443"));
    writeFileSync(b, kc("beta", "c1", "https://two:6443", "- name: alpha\n  context:\n    cluster: c1\n    user: other\n    namespace: shadowed\n"));
    const s = loadKubeconfig({ envKubeconfig: [a, path.join(dir, "missing.yaml"), b].join(path.delimiter) });
    assert.equal(s.kind, "loaded");
    if (s.kind !== "loaded") return;
    assert.deepEqual(s.files, [a, b]);
    assert.equal(s.currentContext, "alpha");
    assert.deepEqual(s.contexts.map((c) => `${c.name}:${c.server}:${c.namespace}`), ["alpha:https://one:6443:default", "beta:https://one:6443:default"]);
    const clusters = s.merged.clusters as { cluster: Record<string, string> }[];
    assert.equal(clusters[0].cluster["certificate-authority"], path.join(dir, "one", "ca.crt"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the watch reports a kubeconfig that appears and changes", async () => {
  const dir = tmp();
  const file = path.join(dir, "config");
  let stop: () => void = () => undefined;
  try {
    let calls = 0;
    let wake: () => void = () => undefined;
    stop = watchKubeconfig([file], () => {
      calls++;
      wake();
    }, 20);
    const next = () =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("no change reported within 5 s")), 5000);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    const created = next();
    writeFileSync(file, kc("alpha", "c1", "https://one:6443"));
    await created;
    assert.ok(calls >= 1);
    assert.equal(loadKubeconfig({ setting: file }).kind, "loaded");
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a kubeconfig edit reconnects only the contexts whose entries changed", () => {
  const dir = tmp();
  const file = path.join(dir, "config");
  const two = (current: string, betaServer: string) =>
    `apiVersion: v1\nkind: Config\ncurrent-context: ${current}\nclusters:\n- name: c1\n  cluster:\n    server: https://one:6443\n- name: c2\n  cluster:\n    server: ${betaServer}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: alpha\n  context:\n    cluster: c1\n    user: u\n- name: beta\n  context:\n    cluster: c2\n    user: u\n`;
  writeFileSync(file, two("alpha", "https://two:6443"));
  const connects: string[] = [];
  const model = new ExplorerModel({
    kubeconfig: () => ({ setting: file }),
    memory: new MemoryExplorerMemory(),
    connect: (_merged, context) => {
      connects.push(context);
      return new Promise(() => undefined); // never connects: only the sessions matter here
    },
  });
  try {
    for (const ctx of model.children()) model.children(ctx);
    const alpha = model.session("alpha");
    const beta = model.session("beta");
    assert.ok(alpha && beta);
    // `kubectl config use-context beta`: nothing reconnects.
    writeFileSync(file, two("beta", "https://two:6443"));
    model.reload();
    assert.equal(model.currentContext(), "beta");
    assert.equal(model.session("alpha"), alpha);
    assert.equal(model.session("beta"), beta);
    // beta's cluster moves: only beta's session goes.
    writeFileSync(file, two("beta", "https://three:6443"));
    model.reload();
    assert.equal(model.session("alpha"), alpha);
    assert.equal(model.session("beta"), undefined);
    assert.deepEqual(connects.sort(), ["alpha", "beta"]);
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
