// The `pods/portforward` subresource over WebSocket, as the kubelet serves it to clients that
// speak the channel protocol (client-node's PortForward, kubectl with websocket port-forward):
// GET /api/v1/namespaces/<ns>/pods/<name>/portforward?ports=<p> with an Upgrade, authenticated
// and authorized as `create pods/portforward`; subprotocol v4.channel.k8s.io (or older);
// channel 0 carries data and channel 1 errors, each starting with the port (2 bytes, little
// endian). Behind it is a simulated pod network: every container port a running pod declares
// answers HTTP with a small text page naming the pod (so "open in browser" shows something and
// tests can check which pod they reached); any other port gets the kubelet's "connection
// refused" error on the error channel. Pods that are not running are refused with 400.
//
// Wired into server.ts by one `upgrade` listener (see ApiServer.listen).

import http from "node:http";
import net from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Api } from "./api";
import type { RuntimeContainers } from "./containerRuntime";
import type { Authenticator } from "./auth";
import type { RequestRecord } from "./server";
import type { KObject } from "./types";
import { ApiError } from "./types";

const PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];

/** What a pod answers on a forwarded port. */
interface PodTarget {
  namespace: string;
  pod: string;
  port: number;
  image: string;
}

/** The simulated pod network: one loopback HTTP server; each connection knows which pod it reaches. */
class PodNetwork {
  private server: http.Server | undefined;
  private starting: Promise<number> | undefined;
  private readonly pending = new Map<number, PodTarget>();
  private readonly sockets = new Set<net.Socket>();

  private start(): Promise<number> {
    this.starting ??= new Promise<number>((resolve, reject) => {
      const server = http.createServer((req, res) => {
        const target = this.pending.get(req.socket.remotePort ?? -1);
        let received = 0;
        req.on("data", (d: Buffer) => (received += d.length));
        // Answer once the request body is read (a reset would lose the response otherwise).
        req.on("end", () => {
          const body = `Hello from ${target?.namespace ?? "?"}/${target?.pod ?? "?"} (image ${target?.image ?? "?"}, port ${target?.port ?? "?"}): ${req.method} ${req.url}${received ? ` (${received} bytes)` : ""}\n`;
          res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Pod-Name": target?.pod ?? "", "Content-Length": String(Buffer.byteLength(body)) });
          res.end(body);
        });
      });
      server.on("connection", (s: net.Socket) => {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
      });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        this.server = server;
        resolve((server.address() as net.AddressInfo).port);
      });
    });
    return this.starting;
  }

  /** A TCP connection to the pod's port. */
  async connect(target: PodTarget): Promise<net.Socket> {
    const port = await this.start();
    return new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        const local = s.localPort ?? -1;
        this.pending.set(local, target);
        s.once("close", () => this.pending.delete(local));
        resolve(s);
      });
      s.once("error", reject);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    this.starting = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Serves port-forward upgrades for one API server. */
export class PortForwarder {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  private readonly network = new PodNetwork();
  private readonly open = new Set<WebSocket>();

  constructor(
    private readonly api: Api,
    private readonly auth: Authenticator,
    private readonly record: (req: IncomingMessage, url: URL) => RequestRecord,
    /** Containers a real runtime serves (containerRuntime.ts): forwarded to their real port. */
    private readonly runtimes?: RuntimeContainers,
  ) {}

  /** Handles an HTTP upgrade; answers errors as the API server would (Status JSON, then close). */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const rec = this.record(req, url);
    socket.on("error", () => socket.destroy());
    const fail = (e: ApiError): void => {
      rec.status = e.code;
      const body = JSON.stringify(e.toStatus());
      socket.end(`HTTP/1.1 ${e.code} ${http.STATUS_CODES[e.code] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    try {
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/.exec(url.pathname);
      if (!m) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      const ns = decodeURIComponent(m[1]);
      const name = decodeURIComponent(m[2]);
      const user = this.auth.authenticate(req.headers.authorization);
      rec.user = user.user;
      this.auth.authorize(user, { verb: "create", group: "", resource: "pods", subresource: "portforward", namespace: ns, name });
      const pods = this.api.find("", "v1", "pods");
      if (!pods) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
      const pod = this.api.get(pods, ns, name);
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      if (phase !== "Running") throw new ApiError(400, "BadRequest", `unable to upgrade connection: pod ${name} is not running (phase ${phase ?? "Unknown"})`);
      const ports = (url.searchParams.get("ports") ?? "").split(",").filter(Boolean).map(Number);
      if (ports.length !== 1 || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
        throw new ApiError(400, "BadRequest", `invalid port "${url.searchParams.get("ports") ?? ""}": exactly one port 1-65535 is supported here`);
      }
      if (!req.headers.upgrade || req.headers.upgrade.toLowerCase() !== "websocket") throw new ApiError(400, "BadRequest", "Upgrade request required");
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        rec.status = 101;
        this.serve(ws, pod, ports[0]);
      });
    } catch (e) {
      fail(e instanceof ApiError ? e : new ApiError(500, "InternalError", String(e)));
    }
  }

  private serve(ws: WebSocket, pod: KObject, port: number): void {
    this.open.add(ws);
    const portBytes = Buffer.from([port & 0xff, (port >> 8) & 0xff]);
    ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
    ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
    const spec = (pod.spec ?? {}) as { containers?: { name?: string; image?: string; ports?: { containerPort?: number }[] }[] };
    const container = (spec.containers ?? []).find((c) => (c.ports ?? []).some((p) => p.containerPort === port));
    const target: PodTarget = { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "", port, image: container?.image ?? "" };
    let tcp: net.Socket | undefined;
    const queued: Buffer[] = [];
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data);
      if (buf.length < 1 || buf[0] !== 0) return; // only the data channel carries bytes to the pod
      const payload = buf.subarray(1);
      if (tcp) tcp.write(payload);
      else queued.push(payload);
    });
    ws.on("close", () => {
      this.open.delete(ws);
      tcp?.end();
    });
    ws.on("error", () => ws.terminate());
    if (!container) {
      const msg = `error forwarding port ${port} to pod ${pod.metadata.uid ?? pod.metadata.name}, uid : failed to execute portforward in network namespace: failed to connect to localhost:${port} inside namespace: connection refused`;
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(msg)]), () => ws.close());
      return;
    }
    const realPort = this.runtimes?.portOf(pod.metadata.uid, container.name);
    const connecting = realPort !== undefined ? connectLoopback(realPort) : this.network.connect(target);
    connecting.then(
      (s) => {
        tcp = s;
        for (const q of queued.splice(0)) s.write(q);
        s.on("data", (d: Buffer) => {
          if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([0]), d]));
        });
        s.on("close", () => {
          if (ws.readyState === ws.OPEN) ws.close();
        });
        s.on("error", () => s.destroy());
      },
      (e: unknown) => {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: ${String(e)}`)]), () => ws.close());
      },
    );
  }

  /** Closes every forwarded connection (the pods' side too). */
  dropAll(): void {
    for (const ws of this.open) ws.terminate();
    this.open.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.wss.close();
    await this.network.close();
  }
}

function connectLoopback(port: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}
