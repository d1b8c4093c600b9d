/**
 * Seeded fuzzing with fast-check: thousands of mutated corpus documents (characters inserted,
 * deleted or replaced; lines duplicated, dropped, re-indented or tab-indented; keys renamed;
 * documents spliced). The service must never throw, never hang, and always answer with
 * well-formed diagnostics inside the text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { SpinKubeService } from "../../../src/server/service";
import { corpusDir } from "../../helpers/paths";

const SEED = 20261125;

const seeds = ["spinapp", "spinappexecutor", "helm-template"].flatMap((d) => {
  const dir = path.join(corpusDir, "real", d);
  return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), "utf8"));
});

const NASTY = ["\t", ":", "- ", "{", "}", "[", "]", '"', "'", "#", "&a", "*a", "!!str ", "---\n", "...\n", "? ", "|\n", ">-\n", "\u0000", "\uFEFF", "\r\n", "{{", "yes", "0777", "1e9", "~"];

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...NASTY)).map(([at, s]) => (t: string) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, n]) => (t: string) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + n)),
  fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([at, s]) => (t: string) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + s + t.slice(i + s.length);
  }),
  fc.tuple(fc.nat(), fc.constantFrom("dup", "drop", "indent", "dedent", "tab")).map(([at, op]) => (t: string) => {
    const lines = t.split("\n");
    const i = at % lines.length;
    if (op === "dup") lines.splice(i, 0, lines[i]);
    else if (op === "drop") lines.splice(i, 1);
    else if (op === "indent") lines[i] = "  " + lines[i];
    else if (op === "dedent") lines[i] = lines[i].replace(/^ {1,2}/, "");
    else lines[i] = lines[i].replace(/^ +/, "\t");
    return lines.join("\n");
  }),
  fc.tuple(fc.nat(), fc.constantFrom("replica", "executr", "image", "Spec", "metadata", "runtimeClassName", "enableAutoscaling")).map(([at, key]) => (t: string) => {
    const keys = [...t.matchAll(/^(\s*)([A-Za-z]+):/gm)];
    if (!keys.length) return t;
    const m = keys[at % keys.length];
    return t.slice(0, m.index! + m[1].length) + key + t.slice(m.index! + m[1].length + m[2].length);
  }),
);

const mutated = fc
  .tuple(fc.nat(seeds.length - 1), fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([a, b, muts, splice]) => muts.reduce((t, m) => m(t), splice ? `${seeds[a]}\n---\n${seeds[b]}` : seeds[a]));

test("mutated corpus documents: the service never throws and answers with sane diagnostics", () => {
  fc.assert(
    fc.property(mutated, (text) => {
      const s = new SpinKubeService();
      const ds = s.validateNow("file:///fuzz.yaml", text);
      const lineCount = text.split("\n").length;
      for (const d of ds) {
        assert.ok(d.range.start.line >= 0 && d.range.end.line < lineCount + 1, `range inside the text: ${JSON.stringify(d.range)}`);
        assert.ok(d.range.start.line < d.range.end.line || d.range.start.character <= d.range.end.character, "range is ordered");
        assert.equal(typeof d.message, "string");
        assert.ok(String(d.message).length > 0);
        assert.ok([1, 2, 3, 4].includes(d.severity!));
      }
    }),
    { seed: SEED, numRuns: 3000 },
  );
});

test("the async validation path agrees with the sync one on mutated input", async () => {
  const samples = fc.sample(mutated, { seed: SEED + 1, numRuns: 200 });
  for (const text of samples) {
    const s = new SpinKubeService();
    const a = await s.validate("file:///a.yaml", text);
    const b = new SpinKubeService().validateNow("file:///a.yaml", text);
    assert.deepEqual(a, b);
  }
});

test("completion, hover, code actions and outline answer at any offset of mutated documents", () => {
  fc.assert(
    fc.property(mutated, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (text, offsets) => {
      const s = new SpinKubeService();
      const ds = s.validateNow("file:///fuzz.yaml", text);
      for (const raw of offsets) {
        const offset = raw % (text.length + 1);
        assert.ok(Array.isArray(s.complete("file:///fuzz.yaml", text, offset)));
        const h = s.hover("file:///fuzz.yaml", text, offset);
        assert.ok(h == null || typeof h === "object");
      }
      assert.ok(Array.isArray(s.codeActions("file:///fuzz.yaml", text, ds)));
      assert.ok(Array.isArray(s.documentSymbols("file:///fuzz.yaml", text)));
    }),
    { seed: SEED + 2, numRuns: 1500 },
  );
});
