/**
 * Finds the YAML files in the workspace folders that define SpinAppExecutors, RuntimeClasses,
 * Secrets or ConfigMaps, so the executor check and completion know them before they are opened.
 * Bounded (files, size, depth), skips dependency and VCS folders, yields between files.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SKIP = new Set(["node_modules", ".git", "target", "dist", "out", ".spin", "vendor", ".venv"]);
const MAX_FILES = 5000;
const MAX_BYTES = 2 * 1024 * 1024;
const MAX_DEPTH = 12;
const INTERESTING = /kind:\s*["']?(?:SpinAppExecutor|RuntimeClass|Secret|ConfigMap)\b/;

/** Calls `index(uri, text)` for each interesting YAML file under the folders. */
export async function scanWorkspace(folderUris: readonly string[], index: (uri: string, text: string) => void, log: (msg: string) => void): Promise<void> {
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || seen >= MAX_FILES) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (seen >= MAX_FILES) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith(".")) await walk(p, depth + 1);
      } else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
        seen++;
        try {
          if ((await stat(p)).size > MAX_BYTES) continue;
          const text = await readFile(p, "utf8");
          if (INTERESTING.test(text)) index(pathToFileURL(p).toString(), text);
        } catch {
          // unreadable file: skip
        }
      }
    }
  };
  for (const uri of folderUris) {
    if (!uri.startsWith("file:")) continue;
    await walk(fileURLToPath(uri), 0);
  }
  if (seen >= MAX_FILES) log(`Workspace scan stopped after ${MAX_FILES} YAML files.`);
}
