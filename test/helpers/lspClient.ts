/**
 * A minimal LSP client for tests and benchmarks: spawns `node dist/server.js --stdio`, speaks
 * JSON-RPC over its stdio with vscode-languageserver-protocol, and collects published diagnostics.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type InitializeResult,
  type ClientCapabilities,
} from "vscode-languageserver-protocol/node";
import { repoRoot } from "./paths";

export interface LspProcess {
  connection: ProtocolConnection;
  child: ChildProcessWithoutNullStreams;
  initializeResult: InitializeResult;
  /** Resolves with the next diagnostics published for `uri` that satisfy `accept` (default: any). */
  nextDiagnostics(uri: string, accept?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  stop(): Promise<void>;
}

export interface StartOptions {
  rootUri?: string | null;
  /** Answer to every workspace/configuration item; when set, the client claims that capability. */
  settings?: unknown;
  /** Node arguments that start another stdio server (default: `dist/server.js --stdio`). */
  serverArgs?: string[];
  initializationOptions?: unknown;
  /** Extra client capabilities (workspace.configuration is still set from `settings`). */
  capabilities?: ClientCapabilities;
}

/** Starts the bundled server (or `serverArgs`) over stdio and initializes it. */
export async function startServer(options: StartOptions = {}): Promise<LspProcess> {
  const args = options.serverArgs ?? [path.join(repoRoot, "dist", "server.js"), "--stdio"];
  const child = spawn(process.execPath, args, { stdio: "pipe" });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters: { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    for (let i = 0; i < waiters.length; i++) {
      const w = waiters[i];
      if (w.uri === p.uri && w.accept(p)) {
        waiters.splice(i, 1);
        w.resolve(p);
        return;
      }
    }
  });
  connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => options.settings ?? null));
  connection.onRequest("client/registerCapability", () => null);
  connection.listen();
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: options.rootUri ?? null,
    workspaceFolders: options.rootUri ? [{ uri: options.rootUri, name: "ws" }] : null,
    initializationOptions: options.initializationOptions,
    capabilities: { ...options.capabilities, workspace: { ...options.capabilities?.workspace, configuration: options.settings !== undefined } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    child,
    initializeResult,
    nextDiagnostics(uri, accept = () => true, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const w = { uri, accept, resolve: (p: PublishDiagnosticsParams) => (clearTimeout(timer), resolve(p)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop() {
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      if (child.exitCode == null) await exited;
      clearTimeout(t);
      connection.dispose();
    },
  };
}
