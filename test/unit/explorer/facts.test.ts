// What the explorer tells the language server: executors (with runtimeClassName/spinImage),
// RuntimeClasses with handler, Secrets and ConfigMaps (names only), SpinApp images of the current
// context — only while facts are wanted (the server runs), refreshed by the watches.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterFacts } from "../../../src/shared/protocol";
import { executor, fixture, objs, runtimeClass, spinApp, waitChild } from "./helpers";

test("facts follow the watches of the current context", async () => {
  const f = await fixture({ controllers: false });
  try {
    f.cluster.apply(
      objs(
        runtimeClass("wasmtime-spin-v2", "spin"),
        executor("default"),
        { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinAppExecutor", metadata: { name: "spintainer", namespace: "default" }, spec: { createDeployment: true, deploymentConfig: { spinImage: "ghcr.io/fermyon/spin:v2.7.0" } } },
        spinApp("default", "hello"),
        { apiVersion: "v1", kind: "Secret", metadata: { name: "db-password", namespace: "default" }, data: { password: Buffer.from("hunter2").toString("base64") } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default" }, data: { a: "b" } },
      ),
    );
    const seen: ClusterFacts[] = [];
    let wake: () => void = () => undefined;
    f.model.onDidChangeFacts((x) => {
      seen.push(x);
      wake();
    });
    /** Waits (on facts events) for the latest facts to satisfy `ok`. */
    const factsWhere = (ok: (x: ClusterFacts) => boolean, what: string): Promise<ClusterFacts> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(seen.at(-1))}`)), 10_000);
        const check = (): void => {
          const last = seen.at(-1);
          if (last && ok(last)) {
            clearTimeout(t);
            resolve(last);
          }
        };
        wake = check;
        check();
      });
    const [ctx] = f.model.children();
    const ns = await waitChild(f.model, ctx, "default");
    await waitChild(f.model, ns, "hello");
    assert.equal(seen.length, 0, "no facts while the language server does not run");
    f.model.setFactsWanted(true);
    const facts = await factsWhere((x) => x.secrets.length > 0 && x.configMaps.length > 0 && x.runtimeClasses.length > 0 && x.executors.length === 2, "facts with secrets, configmaps, runtime classes and executors");
    assert.equal(facts.context, "spinkube-test");
    assert.deepEqual(facts.executors, [
      { namespace: "default", name: "containerd-shim-spin", createDeployment: true, runtimeClassName: "wasmtime-spin-v2" },
      { namespace: "default", name: "spintainer", createDeployment: true, spinImage: "ghcr.io/fermyon/spin:v2.7.0" },
    ]);
    assert.deepEqual(facts.runtimeClasses, [{ name: "wasmtime-spin-v2", handler: "spin" }]);
    assert.ok(facts.secrets.some((s) => s.name === "db-password" && s.namespace === "default"));
    assert.deepEqual(facts.configMaps.filter((c) => c.name === "settings"), [{ namespace: "default", name: "settings" }]);
    assert.deepEqual(facts.spinAppImages, ["ghcr.io/example/hello:v1"]);
    // Secret values never reach the model.
    const cached = f.model.session("spinkube-test")?.objects({ resource: { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true }, namespace: "default" }) ?? [];
    assert.ok(cached.length > 0 && cached.every((s) => !("data" in s)), "secrets are cached without data");
    // A new executor is sent.
    f.cluster.apply(objs(executor("default", "otel-shim-executor")));
    await factsWhere((x) => x.executors.some((e) => e.name === "otel-shim-executor"), "the new executor sent");
  } finally {
    await f.stop();
  }
});
