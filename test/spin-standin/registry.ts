// A real OCI registry for tests: Debian's `docker-registry` package (distribution 2.8), started on
// 127.0.0.1 with a throw-away storage folder, optionally with TLS (the test cluster's CA, so the
// stand-in trusts it through NODE_EXTRA_CA_CERTS) and htpasswd users (bcrypt, what the registry
// accepts). Resolves once the registry logs that it listens; `stop()` ends it and removes the
// folder. test/spin-standin/setup.sh installs the package on a fresh machine.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { tlsMaterial } from "../cluster/auth";
import { freePort } from "./jco";

/** The registry binary of Debian's docker-registry package. */
export const REGISTRY_BIN = process.env.DOCKER_REGISTRY_BIN ?? "/usr/bin/docker-registry";

/** A running test registry. */
export interface TestRegistry {
  /** host:port, what references start with. */
  host: string;
  /** `http://host` or `https://host`. */
  url: string;
  tls: boolean;
  /** PEM of the CA that signed the TLS certificate (TLS registries). */
  caPem?: string;
  /** A file holding caPem (for NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  stop(): Promise<void>;
}

/** True when the registry binary is installed. */
export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BIN);
}

/** Starts a registry on a free loopback port. */
export async function startRegistry(o: { tls?: boolean; users?: Record<string, string> } = {}): Promise<TestRegistry> {
  if (!registryInstalled()) throw new Error(`${REGISTRY_BIN} is missing: run test/spin-standin/setup.sh (apt-get install docker-registry)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "spin-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = ["version: 0.1", "log:", "  level: info", "  accesslog:", "    disabled: true", "storage:", "  filesystem:", `    rootdirectory: ${path.join(dir, "data")}`, "  delete:", "    enabled: true", "http:", `  addr: ${host}`, "  secret: spinkube-test-registry"];
  let caFile: string | undefined;
  let caPem: string | undefined;
  if (o.tls) {
    const t = tlsMaterial();
    writeFileSync(path.join(dir, "cert.pem"), t.cert + t.caCert);
    writeFileSync(path.join(dir, "key.pem"), t.key);
    caFile = path.join(dir, "ca.pem");
    caPem = t.caCert;
    writeFileSync(caFile, t.caCert);
    lines.push("  tls:", `    certificate: ${path.join(dir, "cert.pem")}`, `    key: ${path.join(dir, "key.pem")}`);
  }
  if (o.users) {
    writeFileSync(path.join(dir, "htpasswd"), Object.entries(o.users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 4)}`).join("\n") + "\n");
    lines.push("auth:", "  htpasswd:", "    realm: spinkube-test", `    path: ${path.join(dir, "htpasswd")}`);
  }
  writeFileSync(path.join(dir, "config.yml"), `${lines.join("\n")}\n`);
  const child = spawn(REGISTRY_BIN, ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const gone = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (/msg="listening on /.test(log)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`docker-registry exited (${code}) before listening:\n${log}`)));
    child.on("error", reject);
  });
  let stopped = false;
  return {
    host,
    url: `${o.tls ? "https" : "http"}://${host}`,
    tls: !!o.tls,
    ...(caPem ? { caPem, caFile } : {}),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.kill("SIGTERM");
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
