/** Paths tests share: the repo root and ../shared (the corpus and upstream data, present in CI too). */
import path from "node:path";
import { existsSync } from "node:fs";

/** The repository root (tests run from out/test/…, sources live in test/…). */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
})();

/** ../shared beside the repository. */
export const sharedDir = path.resolve(repoRoot, "..", "shared");
export const corpusDir = path.join(sharedDir, "corpus");
export const spinkubeDataDir = path.join(sharedDir, "spinkube");
