/**
 * Compiler problems in build output, for builds the extension runs itself (Build & Deploy streams
 * spin's output to the Spin log instead of a task terminal, so VS Code's problem matchers do not
 * see it). The formats are the ones the `spin` task's problem matchers in package.json match:
 * rustc (`error[E0308]: …` then `--> src/lib.rs:3:5`), tsc (`src/a.ts(3,5): error TS2322: …` and
 * `src/a.ts:3:5 - error TS2322: …`), Go (`./main.go:3:5: …`), Node's syntax check
 * (`/abs/file.js:3` + the message a few lines below) and spin's own `Error:` lines. vscode-free.
 */
import path from "node:path";
import { stripAnsi } from "./spinOutput";

/** One problem with a location. */
export interface BuildProblem {
  /** Absolute path (relative paths are resolved against the build folder). */
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
  /** Which tool format matched. */
  source: "rustc" | "tsc" | "go" | "node" | "spin";
}

/** Problems found in `output` (stdout and stderr together), relative paths resolved against `cwd`. */
export function findProblems(output: string, cwd: string, manifestFile?: string): BuildProblem[] {
  const ls = stripAnsi(output).replace(/\r\n?/g, "\n").split("\n");
  const out: BuildProblem[] = [];
  const abs = (f: string): string => (path.isAbsolute(f) ? f : path.resolve(cwd, f));
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i];
    let m = /^(error|warning)(?:\[\w+\])?: (.*)$/.exec(l);
    if (m) {
      for (let j = i + 1; j < Math.min(ls.length, i + 6); j++) {
        const loc = /^\s*--> (.+?):(\d+):(\d+)\s*$/.exec(ls[j]);
        if (loc) {
          out.push({ file: abs(loc[1]), line: Number(loc[2]), column: Number(loc[3]), severity: m[1] as "error" | "warning", message: m[2], source: "rustc" });
          break;
        }
      }
      continue;
    }
    m = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.exec(l) ?? /^(.+?):(\d+):(\d+) - (error|warning) (TS\d+): (.*)$/.exec(l);
    if (m) {
      out.push({ file: abs(m[1]), line: Number(m[2]), column: Number(m[3]), severity: m[4] as "error" | "warning", message: `${m[5]}: ${m[6]}`, source: "tsc" });
      continue;
    }
    m = /^(\S+\.go):(\d+):(\d+): (.*)$/.exec(l);
    if (m) {
      out.push({ file: abs(m[1]), line: Number(m[2]), column: Number(m[3]), severity: "error", message: m[4], source: "go" });
      continue;
    }
    m = /^(\S+\.[cm]?[jt]s):(\d+)$/.exec(l);
    if (m) {
      // node --check / node: the location, the source line, a caret line, a blank line, then `SyntaxError: …`.
      for (let j = i + 1; j < Math.min(ls.length, i + 6); j++) {
        const err = /^(\w*Error): (.*)$/.exec(ls[j]);
        if (err) {
          const caret = ls.slice(i + 1, j).find((x) => /^\s*\^+\s*$/.test(x));
          out.push({ file: abs(m[1]), line: Number(m[2]), column: caret ? caret.indexOf("^") + 1 : 1, severity: "error", message: `${err[1]}: ${err[2]}`, source: "node" });
          break;
        }
      }
      continue;
    }
    m = /^Error: (.*)$/.exec(l);
    if (m && manifestFile) {
      const pos = /line (\d+), column (\d+)/.exec(ls.slice(i, i + 3).join("\n"));
      out.push({ file: manifestFile, line: pos ? Number(pos[1]) : 1, column: pos ? Number(pos[2]) : 1, severity: "error", message: m[1], source: "spin" });
    }
  }
  return out;
}
