// The flags ../shared/spinkube/FACTS.md section (c) lists for each spin command, read from the file
// itself (every `-x` / `--name` inside a code span of the command's subsection), and the check
// the contract tests apply to every argument list the extension builds or the stand-in received:
// a flag FACTS.md does not list for that command is a violation. The one exception is the root
// `--version` (clap's automatic version flag, SPIN src/lib.rs `.version(build_info())`), which the
// issue asks the extension to read.

import { readFileSync } from "node:fs";
import path from "node:path";
import { sharedDir } from "../helpers/paths";

/** FACTS.md's path. */
export const FACTS_FILE = path.join(sharedDir, "spinkube", "FACTS.md");

/** Subsection title (`spin build`, `spin registry push` …) → flags listed there. */
export function factsFlags(text = readFileSync(FACTS_FILE, "utf8")): Map<string, Set<string>> {
  const start = text.indexOf("## (c)");
  const end = text.indexOf("## (d)", start);
  if (start < 0 || end < 0) throw new Error("FACTS.md has no section (c)");
  const section = text.slice(start, end);
  const out = new Map<string, Set<string>>();
  for (const part of section.split(/^### /m).slice(1)) {
    const title = /^`([^`]+)`/.exec(part)?.[1];
    if (!title) continue;
    const flags = new Set<string>();
    for (const span of part.matchAll(/`([^`\n]+)`/g)) {
      for (const m of span[1].matchAll(/(?:^|[\s,[(|])(--?[A-Za-z][A-Za-z0-9-]*)/g)) flags.add(m[1]);
    }
    out.set(title, flags);
  }
  return out;
}

/** The FACTS subsection an argument list belongs to, or undefined for commands FACTS does not cover. */
export function sectionOf(argv: readonly string[]): string | undefined {
  const [a, b] = argv;
  if (a === "build" || a === "b") return "spin build";
  if (a === "up" || a === "u") return "spin up";
  if ((a === "registry" || a === "oci") && (b === "push" || b === "login" || b === "pull")) return `spin registry ${b}`;
  if (a === "plugins" || a === "plugin") return "spin plugins";
  if (a === "kube" && b === "scaffold") return "spin kube scaffold";
  if (a === "new" || a === "n") return "spin new";
  return undefined;
}

/** Violations of FACTS (c) in one argument list (empty when it is fine). */
export function violations(argv: readonly string[], facts: Map<string, Set<string>> = factsFlags()): string[] {
  if (argv.length === 1 && argv[0] === "--version") return [];
  const section = sectionOf(argv);
  if (!section) return [`${argv.slice(0, 2).join(" ")}: a command FACTS.md (c) does not describe`];
  const listed = facts.get(section);
  if (!listed) return [`FACTS.md has no subsection for ${section}`];
  return argv.filter((t) => /^--?[A-Za-z]/.test(t)).map((t) => t.split("=")[0]).filter((flag) => !listed.has(flag)).map((flag) => `${section}: ${flag} is not listed in FACTS.md (c)`);
}
