// Serving a wasi:http component for real with jco 1.35.0 (`jco serve --isolate-requests instance`,
// see ../shared/TESTING-OFFLINE.md): used by the stand-in's `spin up` and by the test cluster's
// kubelet hook, so both answer with the app's own response. The server is a child process in the
// caller's process group; `stop()` ends it and waits.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";

/** The jco CLI script from the repository's node_modules. */
export function jcoScript(): string {
  let d = __dirname;
  for (;;) {
    const f = path.join(d, "node_modules", "@bytecodealliance", "jco", "dist", "jco.js");
    if (existsSync(f)) return f;
    const up = path.dirname(d);
    if (up === d) throw new Error("jco is not installed (npm install in the repository)");
    d = up;
  }
}

/** A free loopback TCP port. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running jco server. */
export interface JcoServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `jco serve` for a component and resolves once it listens. jco runs the server in a
 * process of its own (`node <tmp>/_run.js`), so jco gets its own process group and `stop()` ends
 * the group and waits until every process holding its output has gone.
 */
export async function serveComponent(wasmFile: string, o: { host?: string; onOutput?(line: string): void } = {}): Promise<JcoServer> {
  const host = o.host ?? "127.0.0.1";
  const port = await freePort(host);
  const child = spawn(process.execPath, [jcoScript(), "serve", "--isolate-requests", "instance", "--host", host, "--port", String(port), wasmFile], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let closed = false;
  const gone = new Promise<void>((resolve) =>
    child.on("close", () => {
      closed = true;
      resolve();
    }),
  );
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer): void => {
      const text = d.toString();
      out += text;
      for (const l of text.split("\n")) if (l.trim()) o.onOutput?.(l);
      if (/Server listening @/.test(out)) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      killGroup("SIGKILL");
      reject(new Error(`jco serve exited (${code}) before listening: ${out.trim()}`));
    });
    child.on("error", reject);
  });
  return {
    port,
    child,
    stop: async () => {
      if (closed) return;
      killGroup("SIGTERM");
      const timer = setTimeout(() => killGroup("SIGKILL"), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}
