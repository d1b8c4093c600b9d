/** Splitting files into documents and the per-document cache that makes edits cheap. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { chunkAt, splitDocuments } from "../../../src/server/documents";
import { SpinKubeService } from "../../../src/server/service";

test("splits on --- and ... at column 0 only, keeping file offsets and lines", () => {
  const text = "a: 1\n---\nb: |\n  ---not a marker\n  x\n--- # comment\nc: 3\n...\nd: 4\n";
  const chunks = splitDocuments(text);
  assert.deepEqual(chunks.map((c) => c.line), [0, 1, 5, 8]);
  assert.deepEqual(chunks.map((c) => c.text.trim().split("\n")[0]), ["a: 1", "---", "--- # comment", "d: 4"]);
  assert.equal(chunks.map((c) => c.text).join(""), text);
  assert.equal(chunkAt(chunks, text.indexOf("x")), 1);
  assert.equal(chunkAt(chunks, text.length), 3);
});

test("---word is not a marker", () => {
  assert.equal(splitDocuments("a: 1\n---word: 2\n").length, 1);
});

test("the chunks always cover the text, and agree with the yaml parser's document count", () => {
  const line = fc.constantFrom("a: 1", "---", "...", "b:", "  - x", "# c", "", "--- !!map", "key: ---", " ---");
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = lines.join("\n");
      const chunks = splitDocuments(text);
      assert.equal(chunks.map((c) => c.text).join(""), text);
      for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].start, chunks[i - 1].end);
      const docs = parseAllDocuments(text);
      const n = Array.isArray(docs) ? docs.length : 0;
      assert.ok(chunks.length >= n, `${chunks.length} chunks for ${n} documents in ${JSON.stringify(text)}`);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test("an edit re-analyses only the document it touched", async () => {
  const doc = (i: number) => `---\napiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: app-${i}\nspec:\n  image: ghcr.io/x/app:${i}\n  executor: containerd-shim-spin\n  replicas: 1\n`;
  const docs = Array.from({ length: 50 }, (_, i) => doc(i));
  const s = new SpinKubeService();
  await s.validate("file:///big.yaml", docs.join(""));
  assert.equal(s.stats.analysed, 50);
  docs[25] = docs[25].replace("replicas: 1", "replica: 1");
  const ds = await s.validate("file:///big.yaml", docs.join(""));
  assert.equal(ds!.length, 1);
  assert.equal(ds![0].code, "unknown-field");
  assert.equal(ds![0].range.start.line, 25 * 9 + 8);
  assert.equal(s.stats.analysed, 51, "only the edited document was analysed again");
});

test("a newer version cancels a running validation", async () => {
  const docs = Array.from({ length: 3000 }, (_, i) => `---\napiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata:\n  name: a${i}\nspec:\n  image: x\n  executor: e\n  replicas: 1\n`).join("");
  let current = true;
  const s = new SpinKubeService();
  const p = s.validate("file:///c.yaml", docs, () => current);
  current = false;
  assert.equal(await p, undefined);
});
