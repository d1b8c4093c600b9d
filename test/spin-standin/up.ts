// `spin up` of the stand-in: serves every HTTP-triggered component of the app for real (one jco
// server per component) behind a router on `--listen` (default 127.0.0.1:3000, env
// SPIN_HTTP_LISTEN_ADDR) that matches Spin's routes (exact paths, `/prefix/...` wildcards, the
// most specific route wins), and prints what SPIN crates/trigger-http/src/server.rs prints:
// a blank line, `Serving http://…`, `Available Routes:` and `  <id>: <url>[ (wildcard)]`. A busy
// port gives `<addr> is already in use. To have Spin search for a free port, use the
// --find-free-port option.` Runs until SIGINT/SIGTERM, then stops its servers and exits 0.

import http from "node:http";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { App } from "./app";
import { SpinError } from "./app";
import type { JcoServer } from "./jco";
import { serveComponent } from "./jco";

/** A route as the router matches it. */
export interface Route {
  component: string;
  /** Path without the trailing `/...`. */
  prefix: string;
  wildcard: boolean;
}

/** Spin's route syntax → router entries (private routes are not served). */
export function routesOf(app: { routes: { route: string; component: string; private: boolean }[] }): Route[] {
  return app.routes
    .filter((r) => !r.private)
    .map((r) => {
      const wildcard = r.route.endsWith("/...");
      const prefix = wildcard ? r.route.slice(0, -4) : r.route;
      return { component: r.component, prefix: prefix === "/" ? "" : prefix.replace(/\/$/, ""), wildcard };
    });
}

/** The route a path goes to: exact matches first, then the longest wildcard prefix. */
export function matchRoute(routes: Route[], pathname: string): Route | undefined {
  const p = pathname.replace(/\/$/, "") || "";
  const segMatch = (prefix: string): boolean => {
    const a = prefix.split("/").filter(Boolean);
    const b = p.split("/").filter(Boolean);
    if (a.length > b.length) return false;
    return a.every((s, i) => s.startsWith(":") || s === b[i]);
  };
  const exact = routes.filter((r) => !r.wildcard && segMatch(r.prefix) && r.prefix.split("/").filter(Boolean).length === p.split("/").filter(Boolean).length);
  if (exact.length) return exact[0];
  return routes.filter((r) => r.wildcard && segMatch(r.prefix)).sort((x, y) => y.prefix.length - x.prefix.length)[0];
}

/** Proxies requests to the component servers by route. */
export function routerServer(routes: Route[], backends: Map<string, number>): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const r = matchRoute(routes, url.pathname);
    const port = r ? backends.get(r.component) : undefined;
    if (!r || port === undefined) {
      res.writeHead(404).end();
      return;
    }
    const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    req.pipe(up);
  });
}

/** Runs `spin up` until signalled. */
export async function upApp(app: App, o: { listen?: string; componentIds: string[]; findFreePort: boolean }): Promise<never> {
  const listen = o.listen ?? process.env.SPIN_HTTP_LISTEN_ADDR ?? "127.0.0.1:3000";
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new SpinError(`Invalid listen address ${listen}`);
  const host = m[1];
  let port = Number(m[2]);
  const routes = routesOf(app).filter((r) => !o.componentIds.length || o.componentIds.includes(r.component));
  const unknown = o.componentIds.filter((id) => !app.components.some((c) => c.id === id));
  if (unknown.length) throw new SpinError(`Unknown component(s) ${unknown.join(", ")}`);
  const logDir = path.join(app.dir, ".spin", "logs");
  mkdirSync(logDir, { recursive: true });
  process.stderr.write(`Logging component stdio to ${JSON.stringify(`${logDir}/`)}\n`);

  const servers: JcoServer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  const backends = new Map<string, number>();
  for (const id of new Set(routes.map((r) => r.component))) {
    const c = app.components.find((x) => x.id === id);
    if (!c?.source) throw new SpinError(`Component ${id} has no local Wasm source`);
    const file = path.resolve(app.dir, c.source);
    try {
      const s = await serveComponent(file);
      servers.push(s);
      backends.set(id, s.port);
    } catch (err) {
      await stopAll();
      throw new SpinError(`Failed to instantiate component '${id}'`, [err instanceof Error ? err.message : String(err)]);
    }
  }

  const server = routerServer(routes, backends);
  for (;;) {
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once("error", resolve);
      server.listen(port, host, () => resolve(undefined));
    });
    if (!err) break;
    if (err.code === "EADDRINUSE" && o.findFreePort && port < 65535) {
      port++;
      continue;
    }
    await stopAll();
    if (err.code === "EADDRINUSE") throw new SpinError(`${host}:${port} is already in use. To have Spin search for a free port, use the --find-free-port option.`);
    throw new SpinError(`Failed to listen on ${host}:${port}`, [err.message]);
  }
  port = (server.address() as { port: number }).port;
  const base = `http://${host}:${port}`;
  const out = ["", `Serving ${base}`, "Available Routes:"];
  for (const r of routes) out.push(`  ${r.component}: ${base}${r.prefix}${r.wildcard ? " (wildcard)" : ""}`);
  process.stdout.write(`${out.join("\n")}\n`);

  return new Promise<never>(() => {
    const shutdown = (): void => {
      server.close();
      server.closeAllConnections();
      void stopAll().then(() => process.exit(0));
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
}
