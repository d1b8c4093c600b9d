/**
 * Finding and reading kubeconfig files the way kubectl does, without loading the Kubernetes
 * client: the `spinkube.kubeconfig` setting (passed in) first, else every file of `KUBECONFIG`
 * (path-delimiter separated, missing files skipped), else `~/.kube/config`. Files are merged with
 * kubectl's rules (the first file that sets a value wins, for maps by entry name; the first
 * `current-context` wins) and relative paths are made absolute against the file that named them.
 *
 * "No kubeconfig" is a state of its own ({@link KubeconfigState} `kind: "none"`): the explorer
 * never falls back to `localhost:8080` as client-node's `loadFromDefault` does. Listing contexts
 * reads YAML only, so showing the contexts costs no cluster call and no client-node import.
 * {@link watchKubeconfig} reports edits, creations and deletions of the files (fs.watch on the
 * folders, debounced). vscode-free.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";

/** Where kubeconfig paths come from (the setting is passed in by the extension host). */
export interface KubeconfigInputs {
  /** The `spinkube.kubeconfig` setting: one path or several separated by the path delimiter. */
  setting?: string;
  /** `process.env.KUBECONFIG`. */
  envKubeconfig?: string;
  /** The home folder (for `~/.kube/config` and `~` in paths). */
  home?: string;
}

/** One context of the merged kubeconfig. */
export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  /** The context's default namespace (`default` when unset, as kubectl). */
  namespace: string;
  /** The cluster's server URL, when the cluster entry exists. */
  server?: string;
}

/** The merged kubeconfig, or why there is none. */
export type KubeconfigState =
  | {
      kind: "loaded";
      /** The files that exist and were read, in precedence order. */
      files: string[];
      contexts: ContextInfo[];
      currentContext?: string;
      /** The merged kubeconfig as a plain object (what client-node's loadFromString takes as JSON). */
      merged: Record<string, unknown>;
      /** Problems that did not prevent loading (an unreadable second file, a context without cluster). */
      warnings: string[];
    }
  | { kind: "none"; searched: string[]; reason: string }
  | { kind: "invalid"; files: string[]; reason: string };

/** The paths kubectl would read, in precedence order (existing or not). */
export function kubeconfigPaths(inputs: KubeconfigInputs): string[] {
  const home = inputs.home ?? os.homedir();
  const expand = (p: string): string => {
    const t = p.trim();
    if (t === "~") return home;
    if (t.startsWith("~/") || t.startsWith("~\\")) return path.join(home, t.slice(2));
    return path.resolve(t);
  };
  const split = (v: string): string[] =>
    v
      .split(path.delimiter)
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(expand);
  if (inputs.setting && inputs.setting.trim()) return dedupe(split(inputs.setting));
  if (inputs.envKubeconfig && inputs.envKubeconfig.trim()) return dedupe(split(inputs.envKubeconfig));
  return [path.join(home, ".kube", "config")];
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v != null && !Array.isArray(v);

/** Reads and merges the kubeconfig files; never throws. */
export function loadKubeconfig(inputs: KubeconfigInputs): KubeconfigState {
  const searched = kubeconfigPaths(inputs);
  const files = searched.filter((f) => existsSync(f));
  if (files.length === 0) {
    return {
      kind: "none",
      searched,
      reason: `No kubeconfig found (looked for ${searched.join(", ")}).`,
    };
  }
  const warnings: string[] = [];
  const merged: { clusters: Obj[]; users: Obj[]; contexts: Obj[]; "current-context"?: string } = { clusters: [], users: [], contexts: [] };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  let readable = 0;
  for (const file of files) {
    let doc: unknown;
    try {
      const text = readFileSync(file, "utf8");
      doc = text.trim() ? parse(text) : {};
    } catch (err) {
      warnings.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (doc == null) doc = {};
    if (!isObj(doc)) {
      warnings.push(`${file}: not a kubeconfig (expected a mapping)`);
      continue;
    }
    readable++;
    const dir = path.dirname(file);
    for (const key of ["clusters", "users", "contexts"] as const) {
      const list = doc[key];
      if (list == null) continue;
      if (!Array.isArray(list)) {
        warnings.push(`${file}: ${key} is not a list`);
        continue;
      }
      for (const entry of list) {
        if (!isObj(entry) || typeof entry.name !== "string" || !entry.name) continue;
        if (seen[key].has(entry.name)) continue; // kubectl: the first file that names it wins
        seen[key].add(entry.name);
        merged[key].push(absolutize(key, entry, dir));
      }
    }
    const cc = doc["current-context"];
    if (merged["current-context"] === undefined && typeof cc === "string" && cc) merged["current-context"] = cc;
  }
  if (readable === 0) return { kind: "invalid", files, reason: `Could not read the kubeconfig: ${warnings.join("; ")}` };
  const clusterByName = new Map(merged.clusters.map((c) => [String(c.name), isObj(c.cluster) ? c.cluster : {}]));
  const contexts: ContextInfo[] = [];
  for (const c of merged.contexts) {
    const ctx = isObj(c.context) ? c.context : {};
    const cluster = typeof ctx.cluster === "string" ? ctx.cluster : "";
    const server = clusterByName.get(cluster)?.server;
    if (!clusterByName.has(cluster)) warnings.push(`context ${String(c.name)}: cluster "${cluster}" is not defined`);
    contexts.push({
      name: String(c.name),
      cluster,
      user: typeof ctx.user === "string" ? ctx.user : "",
      namespace: typeof ctx.namespace === "string" && ctx.namespace ? ctx.namespace : "default",
      ...(typeof server === "string" ? { server } : {}),
    });
  }
  if (contexts.length === 0) {
    return { kind: "none", searched, reason: `The kubeconfig (${files.join(", ")}) defines no context.` };
  }
  const current = merged["current-context"];
  return {
    kind: "loaded",
    files,
    contexts,
    ...(current && contexts.some((c) => c.name === current) ? { currentContext: current } : {}),
    merged: { apiVersion: "v1", kind: "Config", ...merged },
    warnings,
  };
}

/** Makes the file paths of one entry absolute against the folder of its kubeconfig file. */
function absolutize(key: "clusters" | "users" | "contexts", entry: Obj, dir: string): Obj {
  const abs = (v: unknown): unknown => (typeof v === "string" && v && !path.isAbsolute(v) ? path.resolve(dir, v) : v);
  if (key === "clusters" && isObj(entry.cluster)) {
    const c = { ...entry.cluster };
    if ("certificate-authority" in c) c["certificate-authority"] = abs(c["certificate-authority"]);
    return { ...entry, cluster: c };
  }
  if (key === "users" && isObj(entry.user)) {
    const u = { ...entry.user };
    for (const f of ["client-certificate", "client-key", "tokenFile"]) if (f in u) u[f] = abs(u[f]);
    if (isObj(u.exec) && typeof u.exec.command === "string" && /[\\/]/.test(u.exec.command)) {
      u.exec = { ...u.exec, command: abs(u.exec.command) };
    }
    return { ...entry, user: u };
  }
  return entry;
}

/**
 * Calls `onChange` (debounced by `delayMs`) when any of the files is created, changed or deleted.
 * Watches the folders, so a file that appears later (kind/k3d writing ~/.kube/config) is noticed.
 * Returns a function that stops watching.
 */
export function watchKubeconfig(paths: string[], onChange: () => void, delayMs = 200): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const names = new Map<string, Set<string>>();
  for (const p of paths) {
    const dir = path.dirname(p);
    if (!names.has(dir)) names.set(dir, new Set());
    names.get(dir)?.add(path.basename(p));
  }
  for (const [dir, set] of names) {
    if (!existsSync(dir)) continue;
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename && !set.has(filename.toString())) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(onChange, delayMs);
      });
      w.on("error", () => undefined);
      watchers.push(w);
    } catch {
      // A folder we may not watch: changes there are picked up on the next refresh.
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
