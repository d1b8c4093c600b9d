// Unit tests of the test cluster's pure modules: HumanDuration ages, label/field selector
// grammar, strategic merge patch directives, server-side apply ownership and conflict messages,
// CRD pruning/defaulting/validation messages, and the log model (since/tail over explicit and
// synthetic lines, 100,000 lines per second).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ContainerLog } from "../../cluster/logs";
import { builtinNav, serverSideApply, strategicMergePatch, updateManagedFields } from "../../cluster/patch";
import { parseFieldSelector, parseLabelSelector } from "../../cluster/selectors";
import { humanDuration } from "../../cluster/table";
import type { KObject } from "../../cluster/types";
import type { ApiError } from "../../cluster/types";
import type { Schema } from "../../cluster/validation";
import { applyDefaults, prune, validate } from "../../cluster/validation";

describe("test cluster modules", () => {
  it("formats ages like the API server's HumanDuration", () => {
    const s = 1000;
    assert.deepEqual(
      [0, 5 * s, 119 * s, 120 * s, 150 * s, 10 * 60 * s, 3 * 3600 * s, 3 * 3600 * s + 60 * s, 8 * 3600 * s, 49 * 3600 * s, 9 * 24 * 3600 * s, 800 * 24 * 3600 * s].map(humanDuration),
      ["0s", "5s", "119s", "2m", "2m30s", "10m", "3h", "3h1m", "8h", "2d1h", "9d", "2y70d"],
    );
  });

  it("parses label and field selectors with the apimachinery grammar", () => {
    const l = parseLabelSelector("app in (a, b),tier!=db,canary,!legacy,rank>3");
    const labels = (m: Record<string, string>) => (k: string) => m[k];
    assert.equal(l.matches(labels({ app: "a", tier: "web", canary: "1", rank: "4" })), true);
    assert.equal(l.matches(labels({ app: "a", tier: "web", canary: "1", rank: "4", legacy: "y" })), false);
    assert.equal(l.matches(labels({ app: "c", canary: "1", rank: "9" })), false);
    assert.throws(() => parseLabelSelector("a=b,(c"), (e: ApiError) => e.code === 400);
    const f = parseFieldSelector("metadata.name=x\\,y,status.phase!=Failed");
    assert.deepEqual(f.requirements.map((r) => [r.key, r.op, r.values[0]]), [
      ["metadata.name", "=", "x,y"],
      ["status.phase", "!=", "Failed"],
    ]);
  });

  it("applies strategic merge patch directives", () => {
    const nav = builtinNav("Deployment");
    const orig = { metadata: { finalizers: ["a"] }, spec: { template: { spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] } }, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } };
    const out = strategicMergePatch(orig, {
      metadata: { finalizers: ["b"], "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        template: { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }], containers: [{ name: "a", image: "z" }] } },
        strategy: { $retainKeys: ["type"], type: "Recreate" },
      },
    }, nav) as { metadata: { finalizers: string[] }; spec: { template: { spec: { containers: Array<{ name: string; image: string }> } }; strategy: unknown } };
    assert.deepEqual(out.metadata.finalizers, ["b"]);
    assert.deepEqual(out.spec.template.spec.containers, [{ name: "b", image: "y" }, { name: "a", image: "z" }]);
    assert.deepEqual(out.spec.strategy, { type: "Recreate" });
  });

  it("tracks field ownership: shared values do not conflict, different values do, force takes over", () => {
    const nav = builtinNav("ConfigMap");
    const now = "2026-01-01T00:00:00Z";
    const created: KObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "d" }, data: { a: "1", b: "2" } };
    created.metadata.managedFields = updateManagedFields(undefined, created, { manager: "kubectl-client-side-apply", apiVersion: "v1", nav, now });
    const same = serverSideApply(created, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } }, { manager: "tool", force: false, apiVersion: "v1", nav, now });
    assert.deepEqual(same.metadata.managedFields?.map((m) => m.manager), ["kubectl-client-side-apply", "tool"]);
    assert.throws(
      () => serverSideApply(same, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "9", b: "8" } }, { manager: "other", force: false, apiVersion: "v1", nav, now }),
      (e: ApiError) =>
        e.code === 409 &&
        e.message === 'Apply failed with 3 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .data.a\n- .data.b\nconflicts with "tool":\n- .data.a',
    );
    const forced = serverSideApply(same, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "9" } }, { manager: "other", force: true, apiVersion: "v1", nav, now });
    assert.equal((forced.data as Record<string, string>).a, "9");
    const owners = Object.fromEntries((forced.metadata.managedFields ?? []).map((m) => [m.manager, Object.keys((m.fieldsV1["f:data"] as object | undefined) ?? {})]));
    assert.deepEqual(owners, { "kubectl-client-side-apply": ["f:b"], other: ["f:a"] });
  });

  it("prunes unknown fields with their paths, applies defaults and words validation errors as apiextensions does", () => {
    const schema: Schema = {
      type: "object",
      properties: {
        spec: {
          type: "object",
          required: ["image"],
          properties: {
            image: { type: "string" },
            replicas: { type: "integer", format: "int32", minimum: 0 },
            mode: { type: "string", enum: ["a", "b"] },
            flag: { type: "boolean", default: false },
            items: { type: "array", minItems: 1, items: { type: "object", properties: { name: { type: "string" } } } },
          },
        },
      },
    };
    const obj: Record<string, unknown> = { apiVersion: "x/v1", kind: "X", metadata: { name: "n", bogus: 1 }, spec: { replicas: -1, mode: "c", items: [{ name: "i", nmae: "typo" }], extra: true }, stray: 1 };
    assert.deepEqual(prune(schema, obj), ["metadata.bogus", "spec.items[0].nmae", "spec.extra", "stray"]);
    applyDefaults(schema, obj);
    assert.equal((obj.spec as Record<string, unknown>).flag, false);
    assert.deepEqual(
      validate(schema, obj)
        .map((c) => `${c.field}: ${c.message}`)
        .sort(),
      [
        "spec.image: Required value",
        'spec.mode: Unsupported value: "c": supported values: "a", "b"',
        "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
      ],
    );
  });

  it("serves tail and since over explicit and synthetic lines, at 100,000 lines per second", () => {
    const start = 1_000_000;
    const log = new ContainerLog(start, 10, (k) => `line ${k}`);
    log.append("banner", start);
    log.append("late explicit", start + 450);
    const now = start + 1000;
    assert.deepEqual(log.read(now).lines.map((l) => l.text), ["banner", "line 0", "line 1", "line 2", "line 3", "late explicit", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]);
    assert.deepEqual(log.read(now, undefined, 3).lines.map((l) => l.text), ["line 7", "line 8", "line 9"]);
    assert.deepEqual(log.read(now, start + 450, 100).lines.map((l) => l.text), ["late explicit", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]);
    const { cursor } = log.read(now);
    log.end(start + 1200);
    assert.deepEqual(log.advance(cursor, start + 5000).map((l) => l.text), ["line 10", "line 11"]);
    const fast = new ContainerLog(start, 100_000, (k) => `fast ${k}`);
    const t0 = Date.now();
    const tail = fast.read(start + 10_000, undefined, 5).lines;
    assert.deepEqual(tail.map((l) => l.text), ["fast 999995", "fast 999996", "fast 999997", "fast 999998", "fast 999999"]);
    const c2 = fast.read(start + 9_000, undefined, 0).cursor;
    assert.equal(fast.advance(c2, start + 10_000).length, 100_000);
    assert.ok(Date.now() - t0 < 1000);
  });
});
