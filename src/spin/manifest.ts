/**
 * spin.toml as the toolchain needs it (FACTS.md section (d)): finding the manifest (upward from a
 * folder, as spin does without `-f`), reading it with a real TOML parser (smol-toml) and turning
 * it into the facts the commands use: the application name, components with their build commands
 * and work folders, and the HTTP routes. Problems come back as one message naming the file, line
 * and what to fix (malformed TOML, missing `spin_manifest_version`/`[application]`, unknown
 * component ids). This is a reader for the extension's decisions, not a validator of every rule:
 * spin itself stays the judge when it runs. vscode-free.
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type * as SmolToml from "smol-toml" with { "resolution-mode": "import" };
import { fail, ok } from "./result";
import type { Result } from "./result";

// smol-toml ships a CommonJS build (dist/index.cjs) but declares types for its ESM entry only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TomlError, parse } = require("smol-toml") as typeof SmolToml;

/** The manifest file name spin looks for. */
export const MANIFEST_FILE = "spin.toml";

/** One `[component.<id>]`. */
export interface SpinComponent {
  id: string;
  /** `source` when it is a local path (relative to the manifest folder). */
  sourcePath?: string;
  /** `source` as written when it is a URL or registry table. */
  sourceRemote?: Record<string, unknown>;
  /** `build.command`, always as a list (a string becomes one command). */
  buildCommands: string[];
  /** `build.workdir` (relative to the manifest folder). */
  workdir?: string;
  /** `build.watch` globs. */
  watch: string[];
  description?: string;
}

/** One `[[trigger.http]]`. */
export interface HttpRoute {
  /** The route (`/...`, `/api/:id`), or undefined for `route = { private = true }`. */
  route?: string;
  private: boolean;
  /** The component id (inline components get the trigger's `id`, else `<app>-<index>`). */
  component: string;
}

/** What the toolchain knows about an app from its spin.toml. */
export interface SpinManifest {
  /** Absolute path of spin.toml. */
  file: string;
  /** Its folder (spin runs there). */
  dir: string;
  name: string;
  version?: string;
  description?: string;
  components: SpinComponent[];
  httpRoutes: HttpRoute[];
  /** Trigger types other than http (redis, cron …). */
  otherTriggers: string[];
  /** `application.targets`. */
  targets: string[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x != null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((e): e is string => typeof e === "string") : []);

/** Kebab-case component ids (FACTS (d)): words of ASCII letters and digits starting with a letter, all lower or all upper case, joined by `-`. */
export function isValidComponentId(id: string): boolean {
  return id.split("-").every((w) => /^[a-z][a-z0-9]*$/.test(w) || /^[A-Z][A-Z0-9]*$/.test(w));
}

/** Parses spin.toml text (`file` is used for messages and the folder). */
export function parseManifest(text: string, file: string): Result<SpinManifest> {
  const where = path.basename(path.dirname(file)) + path.sep + path.basename(file);
  let doc: Obj;
  try {
    doc = parse(text) as Obj;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
      return fail("manifestInvalid", `${where} is not valid TOML at line ${err.line}, column ${err.column}: ${first}. Fix the syntax there.`, { file, line: err.line, column: err.column, detail: err.message });
    }
    return fail("manifestInvalid", `${where} could not be parsed: ${String(err)}`, { file });
  }
  const mv = doc.spin_manifest_version;
  if (mv === undefined && doc.spin_version !== undefined) {
    return fail("manifestInvalid", `${where} is a version 1 manifest (spin_version): run \`spin doctor\` or rewrite it as spin_manifest_version = 2.`, { file, line: lineOf(text, "spin_version") });
  }
  if (mv === undefined) return fail("manifestInvalid", `${where} has no spin_manifest_version: add \`spin_manifest_version = 2\` at the top.`, { file, line: 1 });
  if (mv !== 2 && mv !== "2") return fail("manifestInvalid", `${where} says spin_manifest_version = ${JSON.stringify(mv)}: this extension understands version 2.`, { file, line: lineOf(text, "spin_manifest_version") });
  const app = doc.application;
  if (!isObj(app)) return fail("manifestInvalid", `${where} has no [application] table: add one with a name.`, { file });
  const name = str(app.name);
  if (!name) return fail("manifestInvalid", `${where}: [application] needs a name.`, { file, line: lineOf(text, "[application]") });

  const components: SpinComponent[] = [];
  const compTable = isObj(doc.component) ? doc.component : {};
  for (const [id, raw] of Object.entries(compTable)) {
    if (!isValidComponentId(id)) {
      return fail("manifestInvalid", `${where}: component id "${id}" is not kebab-case (words of letters and digits joined by '-'); rename it.`, { file, line: lineOf(text, `[component.${id}]`) });
    }
    if (!isObj(raw)) continue;
    components.push(componentFrom(id, raw));
  }

  const httpRoutes: HttpRoute[] = [];
  const otherTriggers: string[] = [];
  const triggers = isObj(doc.trigger) ? doc.trigger : {};
  for (const [type, list] of Object.entries(triggers)) {
    if (type !== "http") {
      otherTriggers.push(type);
      continue;
    }
    const entries = Array.isArray(list) ? list : [];
    entries.forEach((t, i) => {
      if (!isObj(t)) return;
      let component = str(t.component);
      if (!component && isObj(t.component)) {
        component = str(t.id) ?? `${name}-${i}`;
        components.push(componentFrom(component, t.component));
      }
      if (!component) return;
      const route = t.route;
      httpRoutes.push(isObj(route) ? { private: route.private === true, component } : { route: str(route), private: false, component });
    });
  }
  for (const r of httpRoutes) {
    if (!components.some((c) => c.id === r.component)) {
      return fail("manifestInvalid", `${where}: a [[trigger.http]] names component "${r.component}", which has no [component.${r.component}] table.`, { file, line: lineOf(text, `"${r.component}"`) });
    }
  }
  return ok({
    file,
    dir: path.dirname(file),
    name,
    ...(str(app.version) ? { version: str(app.version) } : {}),
    ...(str(app.description) ? { description: str(app.description) } : {}),
    components,
    httpRoutes,
    otherTriggers,
    targets: strs(app.targets),
  });
}

function componentFrom(id: string, raw: Obj): SpinComponent {
  const build = isObj(raw.build) ? raw.build : {};
  const cmd = build.command;
  return {
    id,
    ...(typeof raw.source === "string" ? { sourcePath: raw.source } : isObj(raw.source) ? { sourceRemote: { ...raw.source } } : {}),
    buildCommands: typeof cmd === "string" ? [cmd] : strs(cmd),
    ...(str(build.workdir) ? { workdir: str(build.workdir) } : {}),
    watch: strs(build.watch),
    ...(str(raw.description) ? { description: str(raw.description) } : {}),
  };
}

/** 1-based line of the first occurrence of `needle`, or undefined. */
function lineOf(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  return i < 0 ? undefined : text.slice(0, i).split("\n").length;
}

/** Reads and parses a spin.toml file (or the spin.toml in a folder). */
export async function readManifest(fileOrDir: string): Promise<Result<SpinManifest>> {
  let file = path.resolve(fileOrDir);
  try {
    if (statSync(file).isDirectory()) file = path.join(file, MANIFEST_FILE);
  } catch {
    // handled below
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("noManifest", `There is no spin.toml at ${file}: create the app with \`spin new\` or open its folder.`, { file });
    return fail("noManifest", `Could not read ${file}: ${code ?? String(err)}.`, { file });
  }
  return parseManifest(text, file);
}

/**
 * The spin.toml spin would use when run in `dir` without `-f`: `dir/spin.toml`, else the nearest
 * parent's (up to and including `stopAt`, when given).
 */
export function findManifestUpward(dir: string, stopAt?: string): string | undefined {
  let d = path.resolve(dir);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    const f = path.join(d, MANIFEST_FILE);
    if (existsSync(f)) return f;
    if (stop && d === stop) return undefined;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** Checks `--component-id` values against the manifest (spin's message: `Unknown component(s) a, b`). */
export function checkComponentIds(m: SpinManifest, ids: readonly string[]): Result<void> {
  const unknown = ids.filter((id) => !m.components.some((c) => c.id === id));
  if (!unknown.length) return ok(undefined);
  const known = m.components.map((c) => c.id).join(", ") || "none";
  return fail("unknownComponent", `Unknown component(s) ${unknown.join(", ")} in ${path.basename(m.dir)}/spin.toml (its components: ${known}).`, { file: m.file });
}

/** The folder a component's build runs in. */
export function buildDir(m: SpinManifest, c: SpinComponent): string {
  return c.workdir ? path.resolve(m.dir, c.workdir) : m.dir;
}
