// The stand-in spin's manifest handling, written independently of the extension's reader so that
// it can catch the extension's mistakes: spin.toml discovery exactly as FACTS.md (c) describes it
// (`-f` file or folder, else the current folder and then its parents, with the two stderr notes;
// `"spin.toml" not found`; `Directory <dir> does not contain a file named 'spin.toml'`), TOML
// loading with smol-toml, and the manifest checks whose messages FACTS (d) quotes
// (`TOML parse error at line L, column C` with the caret excerpt, kebab-case ids, manifest version).

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type * as SmolToml from "smol-toml" with { "resolution-mode": "import" };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse, TomlError } = require("smol-toml") as typeof SmolToml;

/** A failure spin reports as `Error: <message>` (exit 1). */
export class SpinError extends Error {
  constructor(
    message: string,
    readonly causes: string[] = [],
  ) {
    super(message);
  }
}

/** One component of the loaded app. */
export interface AppComponent {
  id: string;
  source?: string;
  build: string[];
  workdir?: string;
}

/** One HTTP trigger. */
export interface AppRoute {
  route: string;
  component: string;
  private: boolean;
}

/** A loaded app. */
export interface App {
  file: string;
  dir: string;
  name: string;
  version?: string;
  description?: string;
  authors: string[];
  components: AppComponent[];
  routes: AppRoute[];
}

/** Finds spin.toml like spin (SPIN crates/common/src/paths.rs); prints the parent-directory notes to stderr. */
export function findManifest(from: string | undefined, cwd: string): string {
  if (from) {
    const p = path.resolve(cwd, from);
    if (existsSync(p) && statSync(p).isDirectory()) {
      const f = path.join(p, "spin.toml");
      if (!existsSync(f)) throw new SpinError(`Directory ${p} does not contain a file named 'spin.toml'`);
      return f;
    }
    if (!existsSync(p)) throw new SpinError(`File ${p} does not exist`);
    return p;
  }
  let d = path.resolve(cwd);
  for (let distance = 0; ; distance++) {
    const f = path.join(d, "spin.toml");
    if (existsSync(f)) {
      if (distance > 0) process.stderr.write(`No 'spin.toml' in current directory.\nUsing 'spin.toml' from parent directory (${f})\n`);
      return f;
    }
    const up = path.dirname(d);
    if (up === d) throw new SpinError('"spin.toml" not found');
    d = up;
  }
}

function tomlError(text: string, line: number, column: number, width: number, message: string): SpinError {
  const src = text.split("\n")[line - 1] ?? "";
  const pad = " ".repeat(String(line).length);
  return new SpinError(`TOML parse error at line ${line}, column ${column}\n${pad} |\n${line} | ${src}\n${pad} | ${" ".repeat(column - 1)}${"^".repeat(Math.max(1, width))}\n${message}`);
}

function kebabProblem(id: string): string | undefined {
  if (id.includes("_")) return "words must be separated with '-', not '_'";
  for (const w of id.split("-")) {
    if (!/^[A-Za-z]/.test(w)) return `'-'-separated words must start with an ASCII letter; got '${w[0] ?? ""}'`;
    if (!/^[A-Za-z0-9]+$/.test(w)) return `'-'-separated words may only contain alphanumeric ASCII; got '${/[^A-Za-z0-9]/.exec(w)?.[0] ?? ""}'`;
    if (!(w === w.toLowerCase() || w === w.toUpperCase())) return `'-'-separated words must be all lowercase or all UPPERCASE; got '${w}'`;
  }
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x != null && !Array.isArray(x);

/** Loads an app from its spin.toml. */
export function loadApp(file: string): App {
  const text = readFileSync(file, "utf8");
  let doc: Obj;
  try {
    doc = parse(text) as Obj;
  } catch (err) {
    if (err instanceof TomlError) throw tomlError(text, err.line, err.column, 1, err.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, ""));
    throw new SpinError(String(err));
  }
  if (doc.spin_manifest_version === undefined) throw tomlError(text, 1, 1, 1, "missing field `spin_manifest_version`");
  if (doc.spin_manifest_version !== 2) throw new SpinError(`invalid manifest version: ${JSON.stringify(String(doc.spin_manifest_version))}`);
  const app = isObj(doc.application) ? doc.application : undefined;
  if (!app) throw tomlError(text, 1, 1, 1, "missing field `application`");
  const lines = text.split("\n");
  const components: AppComponent[] = [];
  for (const [id, c] of Object.entries(isObj(doc.component) ? doc.component : {})) {
    const problem = kebabProblem(id);
    if (problem) {
      const ln = lines.findIndex((l) => l.includes(`[component.${id}`)) + 1;
      throw tomlError(text, ln || 1, (lines[ln - 1]?.indexOf(id) ?? 0) + 1, id.length, problem);
    }
    if (!isObj(c)) continue;
    const b = isObj(c.build) ? c.build : {};
    components.push({
      id,
      ...(typeof c.source === "string" ? { source: c.source } : {}),
      build: typeof b.command === "string" ? [b.command] : Array.isArray(b.command) ? b.command.map(String) : [],
      ...(typeof b.workdir === "string" ? { workdir: b.workdir } : {}),
    });
  }
  const routes: AppRoute[] = [];
  const http = isObj(doc.trigger) && Array.isArray(doc.trigger.http) ? doc.trigger.http : [];
  for (const t of http) {
    if (!isObj(t) || typeof t.component !== "string") continue;
    const problem = kebabProblem(t.component);
    if (problem) {
      const ln = lines.findIndex((l) => l.includes(`"${t.component}"`)) + 1;
      throw tomlError(text, ln || 1, (lines[ln - 1]?.indexOf(`"${t.component}"`) ?? 0) + 1, t.component.length + 2, problem);
    }
    if (isObj(t.route)) routes.push({ route: "", component: t.component, private: true });
    else routes.push({ route: String(t.route), component: t.component, private: false });
  }
  for (const r of routes) if (!components.some((c) => c.id === r.component)) throw new SpinError(`Trigger refers to component '${r.component}', which does not exist`);
  return {
    file,
    dir: path.dirname(file),
    name: String(app.name ?? ""),
    ...(typeof app.version === "string" ? { version: app.version } : {}),
    ...(typeof app.description === "string" ? { description: app.description } : {}),
    authors: Array.isArray(app.authors) ? app.authors.map(String) : [],
    components,
    routes,
  };
}
