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

/** Starts `jco serve` for a component and resolves once it listens. */
export async function serveComponent(wasmFile: string, o: { host?: string; onOutput?(line: string): void; detached?: boolean } = {}): Promise<JcoServer> {
  const host = o.host ?? "127.0.0.1";
  const port = await freePort(host);
  const child = spawn(process.execPath, [jcoScript(), "serve", "--isolate-requests", "instance", "--host", host, "--port", String(port), wasmFile], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: o.detached ?? false,
  });
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on("exit", () => ((exited = true), resolve())));
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
    child.on("exit", (code) => reject(new Error(`jco serve exited (${code}) before listening: ${out.trim()}`)));
    child.on("error", reject);
  });
  return {
    port,
    child,
    stop: async () => {
      if (exited) return;
      child.kill("SIGTERM");
      await gone;
    },
  };
}
