/** Kubernetes quantities: the grammar, values for comparisons, and suggested spellings. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isQuantity, quantityValue, suggestQuantity } from "../../../src/server/quantity";

test("accepts what the API server accepts", () => {
  for (const q of ["128Mi", "1Gi", "500m", "2", "1.5", "1e3", "1E3", ".5", "+1", "100M", "1k", 3]) assert.ok(isQuantity(q), String(q));
  for (const q of ["32MB", "1 Gi", "Gi", "1.5.5", "", "1KiB", "10mb", "-"]) assert.ok(!isQuantity(q), q);
});

test("values in base units", () => {
  assert.equal(quantityValue("128Mi"), 128 * 2 ** 20);
  assert.equal(quantityValue("1G"), 1e9);
  assert.equal(quantityValue("500m"), 0.5);
  assert.equal(quantityValue("1e3"), 1000);
  assert.equal(quantityValue(64), 64);
  assert.equal(quantityValue("nope"), undefined);
  assert.ok(quantityValue("1Gi")! > quantityValue("1G")!);
});

test("suggests the binary unit for byte-ish spellings", () => {
  assert.equal(suggestQuantity("32MB"), "32Mi");
  assert.equal(suggestQuantity("32mb"), "32Mi");
  assert.equal(suggestQuantity("1.5GiB"), "1.5Gi");
  assert.equal(suggestQuantity("512KB"), "512Ki");
  assert.equal(suggestQuantity("1 Gi"), "1Gi");
  assert.equal(suggestQuantity("lots"), undefined);
});
