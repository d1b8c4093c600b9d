// The test cluster's Spin workloads (a ContainerRuntime for startTestCluster({ workloads })): a Spin
// container whose image lives in one of the test registries is pulled for real (OCI manifest,
// locked-app layer, Wasm layers by digest, as the shim does) and served with jco behind Spin's
// router, so a port-forward to the pod answers with the app's own response. Images from other
// registries stay simulated; a pull failure becomes the kubelet's ErrImagePull.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerRuntime, ContainerStart, RunningContainer } from "../cluster";
import { serveComponent } from "./jco";
import type { JcoServer } from "./jco";
import { parseRef, pullApp } from "./oci";
import { routerServer, routesOf } from "./up";

/** A registry the workloads may pull from. */
export interface WorkloadRegistry {
  host: string;
  insecure: boolean;
  credentials?: { username: string; password: string };
}

/** The runtime, plus what it pulled (for assertions). */
export interface SpinWorkloads extends ContainerRuntime {
  /** Images pulled, in order (the digest the registry served for each). */
  readonly pulls: { image: string; digest: string; pod: string }[];
}

/** A ContainerRuntime running Spin apps from the given registries with jco. */
export function spinWorkloads(registries: WorkloadRegistry[]): SpinWorkloads {
  const pulls: SpinWorkloads["pulls"] = [];
  return {
    pulls,
    start(c: ContainerStart): Promise<RunningContainer> | undefined {
      if (!c.spin) return undefined;
      let host: string;
      try {
        host = parseRef(c.image).registry;
      } catch {
        return undefined;
      }
      const reg = registries.find((r) => r.host === host);
      if (!reg) return undefined;
      return (async () => {
        const app = await pullApp(c.image, { insecure: reg.insecure, credentials: reg.credentials });
        pulls.push({ image: c.image, digest: app.digest, pod: c.pod });
        const dir = mkdtempSync(path.join(os.tmpdir(), `spin-pod-${c.pod}-`));
        const servers: JcoServer[] = [];
        const cleanup = async (): Promise<void> => {
          await Promise.all(servers.map((s) => s.stop()));
          rmSync(dir, { recursive: true, force: true });
        };
        try {
          const routes = routesOf({
            routes: app.locked.triggers
              .filter((t) => t.trigger_type === "http")
              .map((t) => {
                const r = t.trigger_config.route;
                return typeof r === "string" ? { route: r, component: t.trigger_config.component, private: false } : { route: "", component: t.trigger_config.component, private: true };
              }),
          });
          const backends = new Map<string, number>();
          for (const id of new Set(routes.map((r) => r.component))) {
            const comp = app.locked.components.find((x) => x.id === id);
            const wasm = comp ? app.wasm.get(comp.source.content.digest) : undefined;
            if (!wasm) throw new Error(`the image has no Wasm layer for component ${id}`);
            const file = path.join(dir, `${id}.wasm`);
            writeFileSync(file, wasm);
            const s = await serveComponent(file);
            servers.push(s);
            backends.set(id, s.port);
          }
          const router = routerServer(routes, backends);
          const port = await new Promise<number>((resolve, reject) => {
            router.once("error", reject);
            router.listen(0, "127.0.0.1", () => resolve((router.address() as { port: number }).port));
          });
          return {
            port,
            stop: async () => {
              router.closeAllConnections();
              await new Promise<void>((r) => router.close(() => r()));
              await cleanup();
            },
          };
        } catch (err) {
          await cleanup();
          throw err;
        }
      })();
    },
  };
}
