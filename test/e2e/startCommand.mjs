// The README's run command under test (run.mjs phase 4): `node test/start.mjs --demo-cluster` as
// `npm start` runs it (setup and build are the harness's own steps already), started in a process
// group of its own as a terminal would, its output read for what a newcomer reads (the URL on a line
// of its own, the demo registry, the workspace), and stopped with SIGINT as Ctrl-C does.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { root } from "./codeServer.mjs";

/**
 * Starts the run command; resolves once it prints the URL, with what it said. Rejects with its
 * output when it exits first or prints no URL within `timeoutMs`.
 */
export function startRunCommand({ port, env = {}, logFile, timeoutMs = 120_000 }) {
  const child = spawn(process.execPath, [path.join(root, "test", "start.mjs"), "--skip-setup", "--skip-build", "--demo-cluster", "--port", String(port)], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(logFile);
  child.stderr.pipe(log, { end: false });
  const lines = [];
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
  const said = (re) => lines.map((l) => re.exec(l)).find(Boolean)?.[1];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no URL within ${timeoutMs / 1000} s`), timeoutMs);
    function fail(why) {
      clearTimeout(timer);
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {
        // already gone
      }
      reject(new Error(`npm start: ${why}:\n${lines.slice(-15).join("\n")}`));
    }
    void exited.then((code) => fail(`exited (${code}) before printing the URL`));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      log.write(`${line}\n`);
      if (!/^http:\/\/127\.0\.0\.1:\d+\/\S*$/.test(line)) return;
      clearTimeout(timer);
      resolve({
        url: line,
        registry: said(/Build & Deploy: .*registry (\S+)$/) ?? said(/pushes to the demo registry (\S+)$/),
        workspace: said(/Sample workspace \(a throw-away copy\): (\S+)$/),
        clusterUrl: said(/serving at (https:\/\/\S+)$/),
        lines,
        /** Ctrl-C: SIGINT to the group; resolves with the exit code (or signal), or "still running" after `ms`. */
        interrupt: async (ms = 30_000) => {
          process.kill(-child.pid, "SIGINT");
          let timeout;
          const code = await Promise.race([exited, new Promise((r) => (timeout = setTimeout(() => r("still running"), ms)))]);
          clearTimeout(timeout);
          if (code === "still running") process.kill(-child.pid, "SIGKILL");
          log.end();
          return code;
        },
      });
    });
  });
}

/** Whether `url` still answers (any HTTP status), within 2 s. */
export async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch (err) {
    // A TLS failure (the cluster's own CA) still means something listens.
    return /certificate|self.signed|UNABLE_TO_VERIFY/i.test(String(err?.cause?.code ?? err?.cause?.message ?? err));
  }
}
