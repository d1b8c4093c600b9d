/**
 * Runs external tools (spin and what it starts) the way the toolchain needs: an argument array,
 * never a shell string; a working folder; output streamed line by line while it is also collected;
 * an optional stdin text (the registry password goes there and nowhere else); and cancellation
 * through an AbortSignal that ends the whole process tree. On POSIX the child leads its own
 * process group (`detached`), so SIGTERM and, after a grace period, SIGKILL reach every process
 * it started (build tools, `npm`, compilers, servers); on Windows `taskkill /T /F` does the same.
 * vscode-free.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { StringDecoder } from "node:string_decoder";

/** Which stream a line came from. */
export type Stream = "stdout" | "stderr";

/** Options of {@link startProcess} and {@link runProcess}. */
export interface ProcessOptions {
  cwd?: string;
  /** The full environment (defaults to the extension host's). */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Without it stdin is closed at once (no prompt can wait). */
  stdin?: string;
  /** Aborting kills the process tree; the result then has `cancelled: true`. */
  signal?: AbortSignal;
  /** Each complete output line (without the newline), as it arrives. */
  onLine?(stream: Stream, line: string): void;
  /** Time between SIGTERM and SIGKILL when stopping (default 3000 ms). */
  killGraceMs?: number;
}

/** How a process ended. */
export interface ProcessResult {
  /** Exit code, or null when killed by a signal or when it could not start. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The AbortSignal fired (or stop() was called) before the process ended. */
  cancelled: boolean;
  /** The process could not be started (ENOENT, EACCES …). */
  spawnError?: NodeJS.ErrnoException;
  durationMs: number;
}

/** A running process. */
export interface RunningProcess {
  readonly pid: number | undefined;
  /** Settles when the process has exited and its output is drained. */
  readonly done: Promise<ProcessResult>;
  /** Ends the process tree (SIGTERM, then SIGKILL after the grace period) and waits for it. */
  stop(): Promise<ProcessResult>;
}

const MAX_KEPT = 4 * 1024 * 1024;

/** Starts `command` with `args` (no shell). */
export function startProcess(command: string, args: readonly string[], opts: ProcessOptions = {}): RunningProcess {
  const t0 = Date.now();
  const posix = process.platform !== "win32";
  let child: ChildProcess | undefined;
  let stopping = false;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const out = { stdout: "", stderr: "" };

  const killTree = (sig: NodeJS.Signals): void => {
    const pid = child?.pid;
    if (pid === undefined) return;
    try {
      if (posix) process.kill(-pid, sig);
      else if (sig === "SIGKILL" || !exited) spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true });
    } catch {
      // ESRCH: the group is gone already.
    }
  };

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    killTree("SIGTERM");
    killTimer = setTimeout(() => killTree("SIGKILL"), opts.killGraceMs ?? 3000);
    killTimer.unref?.();
  };

  const done = new Promise<ProcessResult>((resolve) => {
    try {
      child = spawn(command, [...args], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        detached: posix,
        shell: false,
        windowsHide: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: "", stderr: "", cancelled: false, spawnError: err as NodeJS.ErrnoException, durationMs: Date.now() - t0 });
      return;
    }
    let spawnError: NodeJS.ErrnoException | undefined;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const pipe = (stream: Stream, readable: NodeJS.ReadableStream | null): void => {
      if (!readable) return;
      const dec = new StringDecoder("utf8");
      let partial = "";
      const emit = (text: string, flush: boolean): void => {
        if (out[stream].length < MAX_KEPT) out[stream] += text;
        partial += text;
        const lines = partial.split("\n");
        partial = flush ? "" : (lines.pop() ?? "");
        for (const l of flush && lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines) opts.onLine?.(stream, l.replace(/\r$/, ""));
      };
      readable.on("data", (d: Buffer) => emit(dec.write(d), false));
      readable.on("end", () => emit(dec.end(), true));
    };
    const c = child;
    pipe("stdout", c.stdout);
    pipe("stderr", c.stderr);
    c.stdin?.on("error", () => undefined);
    if (opts.stdin !== undefined) c.stdin?.end(opts.stdin);
    else c.stdin?.end();
    c.on("error", (err) => {
      spawnError = err;
    });
    c.on("exit", (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      // Grandchildren that outlive the leader would keep the pipes open: end them too when stopping.
      if (stopping) killTree("SIGKILL");
    });
    c.on("close", (code, sig) => {
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", stop);
      resolve({
        code: spawnError ? null : (exitCode ?? code),
        signal: exitSignal ?? sig,
        stdout: out.stdout,
        stderr: out.stderr,
        cancelled: stopping,
        ...(spawnError ? { spawnError } : {}),
        durationMs: Date.now() - t0,
      });
    });
    if (opts.signal?.aborted) stop();
    else opts.signal?.addEventListener("abort", stop, { once: true });
  });

  return {
    get pid() {
      return child?.pid;
    },
    done,
    stop: () => {
      stop();
      return done;
    },
  };
}

/** Runs `command` with `args` to completion (see {@link startProcess}). */
export function runProcess(command: string, args: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  return startProcess(command, args, opts).done;
}
