// The explorer's SVG icons (media/icons/{light,dark}): every icon a node state can show has both
// files, no file sits there unused, each is a well-formed 16×16 SVG, and the light and dark
// variants are the same drawing with the light one darker (for light themes).

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { KObject } from "../../../src/cluster/kubeApi";
import { appSummary, contextIcon, contextView, executorView, healthIcon, namespaceView, podIcon, podView, runtimeClassView, spinAppView, type Health } from "../../../src/cluster/nodes";
import type { ConnectionState } from "../../../src/cluster/spinAppWatcher";
import { TREE_ICON_DIR, TREE_ICON_THEMES, TREE_ICONS, treeIconFile, type TreeIcon } from "../../../src/cluster/treeIcons";
import { repoRoot } from "../../helpers/paths";
import { XMLParser, XMLValidator } from "fast-xml-parser";

const iconDir = path.join(repoRoot, ...TREE_ICON_DIR);
const read = (theme: string, name: TreeIcon): string => readFileSync(path.join(iconDir, theme, treeIconFile(name)), "utf8");

const STATES: ConnectionState[] = [
  { kind: "idle" },
  { kind: "connecting" },
  { kind: "connected" },
  { kind: "reconnecting", reason: "ECONNRESET", retryInMs: 500 },
  { kind: "unreachable", reason: "ECONNREFUSED", retryInMs: 500 },
  { kind: "expired", message: "401" },
  { kind: "forbidden", message: "403" },
  { kind: "error", message: "boom" },
];
const HEALTHS: Health[] = ["ready", "progressing", "failing", "unknown"];

test("each node state shows its own icon, and every icon in TREE_ICONS is shown by some state", () => {
  const shown = new Set<TreeIcon>();
  const see = (v: { svg?: TreeIcon }): void => {
    if (v.svg) shown.add(v.svg);
  };
  for (const s of STATES) see(contextView("kind-spin", { current: true, state: s, namespaces: "all namespaces" }));
  assert.equal(contextView("c", { current: true, state: { kind: "connecting" }, namespaces: "" }).icon, "loading~spin", "connecting keeps VS Code's spinner");
  assert.equal(new Set(STATES.map(contextIcon).filter(Boolean)).size, 6, "idle, connected, reconnecting, unreachable, unauthorized (expired and forbidden) and error differ");

  const app: KObject = { apiVersion: "core.spinkube.dev/v1alpha1", kind: "SpinApp", metadata: { name: "a", namespace: "n" }, spec: { replicas: 1 } };
  for (const h of HEALTHS) {
    const s = { ...appSummary(app), health: h };
    see(spinAppView(app, s));
    see(namespaceView("n", [s], { synced: true }));
  }
  assert.equal(new Set(HEALTHS.map(healthIcon)).size, HEALTHS.length, "one SpinApp icon per health");
  assert.equal(namespaceView("n", [], { synced: true }).svg, "namespace");
  assert.equal(namespaceView("n", [{ ...appSummary(app), health: "failing" }], { synced: true }).svg, "namespace-failing");

  const pod = (status: Record<string, unknown>): KObject => ({ metadata: { name: "p", namespace: "n" }, status });
  const running = podView(pod({ phase: "Running", containerStatuses: [{ name: "c", ready: true, state: { running: {} } }] }));
  const pending = podView(pod({ phase: "Pending", containerStatuses: [{ name: "c", ready: false, state: { waiting: { reason: "ContainerCreating" } } }] }));
  const failed = podView(pod({ phase: "Running", containerStatuses: [{ name: "c", ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } }] }));
  assert.deepEqual([running.svg, pending.svg, failed.svg], ["pod-running", "pod-pending", "pod-failed"]);
  assert.equal(podIcon({ failing: true, ready: true }), "pod-failed", "failing wins over ready");
  for (const v of [running, pending, failed]) see(v);

  see(executorView({ metadata: { name: "e", namespace: "n" }, spec: { deploymentConfig: { runtimeClassName: "wasmtime-spin-v2" } } }, "e", "n", false));
  see(runtimeClassView({ metadata: { name: "wasmtime-spin-v2" }, handler: "spin" } as KObject, "wasmtime-spin-v2"));
  assert.equal(executorView(undefined, "e", "n", false).svg, undefined, "a missing executor is a warning (codicon), not an executor");

  assert.deepEqual([...shown].sort(), [...TREE_ICONS].sort(), "every icon is what some state shows, and every state's icon is listed");
});

test("media/icons holds light/ and dark/ with exactly one file per icon name", () => {
  assert.deepEqual(readdirSync(iconDir).sort(), [...TREE_ICON_THEMES].sort(), "media/icons has only the theme folders");
  const expected = TREE_ICONS.map(treeIconFile).sort();
  for (const theme of TREE_ICON_THEMES) {
    const files = readdirSync(path.join(iconDir, theme)).sort();
    const missing = expected.filter((f) => !files.includes(f));
    const unused = files.filter((f) => !expected.includes(f));
    assert.deepEqual({ missing, unused }, { missing: [], unused: [] }, `media/icons/${theme}`);
    for (const f of files) assert.ok(statSync(path.join(iconDir, theme, f)).size > 0, `${theme}/${f} is empty`);
  }
});

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

/** The root element of `text`, which must be well-formed XML (fast-xml-parser's validator) with no DOCTYPE. */
function parseSvg(text: string, where: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) assert.fail(`${where}: not well-formed: ${valid.err.msg} at line ${valid.err.line}, column ${valid.err.col}`);
  assert.doesNotMatch(text, /<!DOCTYPE/i, `${where}: an icon declares no DOCTYPE (nor entities)`);
  type Node = Record<string, unknown> & { ":@"?: Record<string, string> };
  const nodes = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", preserveOrder: true, processEntities: false }).parse(text) as Node[];
  const isElement = (n: Node): boolean => !Object.keys(n).some((k) => k.startsWith("?") || k === "#text");
  const element = (n: Node): XmlElement => {
    const name = Object.keys(n).find((k) => k !== ":@") as string;
    return { name, attributes: n[":@"] ?? {}, children: (n[name] as Node[]).filter(isElement).map(element) };
  };
  const roots = nodes.filter(isElement).map(element);
  assert.equal(roots.length, 1, `${where}: one root element`);
  return roots[0];
}

test("each icon is a well-formed SVG with a 16×16 viewBox and nothing that needs loading", () => {
  for (const theme of TREE_ICON_THEMES) {
    for (const name of TREE_ICONS) {
      const where = `${theme}/${treeIconFile(name)}`;
      const root = parseSvg(read(theme, name), where);
      assert.equal(root.name, "svg", where);
      assert.equal(root.attributes.xmlns, "http://www.w3.org/2000/svg", `${where}: the SVG namespace (a background-image needs it)`);
      assert.equal(root.attributes.viewBox?.trim().split(/[\s,]+/).join(" "), "0 0 16 16", `${where}: viewBox`);
      for (const dim of ["width", "height"]) if (root.attributes[dim] !== undefined) assert.equal(root.attributes[dim], "16", `${where}: ${dim}`);
      const all = (e: XmlElement): XmlElement[] => [e, ...e.children.flatMap(all)];
      for (const e of all(root)) {
        assert.ok(!["script", "image", "foreignObject", "style"].includes(e.name), `${where}: <${e.name}> (an icon is plain shapes)`);
        for (const [k, v] of Object.entries(e.attributes)) {
          assert.ok(!/^on/i.test(k), `${where}: event attribute ${k}`);
          if (/href$/i.test(k)) assert.match(v, /^#/, `${where}: ${k} must point inside the file`);
          assert.doesNotMatch(v, /url\((?!#)/, `${where}: ${k} refers outside the file`);
        }
      }
    }
  }
});

/** Relative luminance (WCAG) of #rgb / #rrggbb. */
function luminance(hex: string): number {
  const h = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((k) => {
    const c = parseInt(h.slice(k, k + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

test("light and dark variants are the same drawing; each colour of the light one is darker", () => {
  const COLOUR = /#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b/g;
  for (const name of TREE_ICONS) {
    const light = read("light", name);
    const dark = read("dark", name);
    assert.equal(light.replace(COLOUR, "#"), dark.replace(COLOUR, "#"), `${name}: the variants differ in more than colour`);
    const lc = light.match(COLOUR) ?? [];
    const dc = dark.match(COLOUR) ?? [];
    let themed = 0;
    lc.forEach((c, k) => {
      if (c.toLowerCase() === dc[k].toLowerCase()) return; // mask colours (#fff/#000) are the same in both
      themed++;
      assert.ok(luminance(c) < luminance(dc[k]), `${name}: light ${c} should be darker than dark ${dc[k]}`);
    });
    assert.ok(themed > 0, `${name}: no colour differs between the light and dark variants`);
  }
});

test("the SVG check refuses what a browser would refuse to draw", () => {
  const ok = parseSvg('<?xml version="1.0"?>\n<!-- c --><svg a="1" b=\'&amp;&#x41;\'><g><path d="M0 0"/></g>text &lt;</svg>\n', "ok");
  assert.deepEqual([ok.name, ok.attributes.b, ok.children[0].children[0].name], ["svg", "&amp;&#x41;", "path"]);
  const bad: Record<string, string> = {
    unclosed: "<svg><g></svg>",
    mismatched: "<svg><g></h></svg>",
    "two roots": "<svg/><svg/>",
    "unquoted attribute": "<svg a=1/>",
    "repeated attribute": '<svg a="1" a="2"/>',
    doctype: "<!DOCTYPE svg><svg/>",
    "stray end tag": "<svg/></svg>",
  };
  for (const [what, text] of Object.entries(bad)) assert.throws(() => parseSvg(text, what), assert.AssertionError, what);
});
