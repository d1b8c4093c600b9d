/**
 * Recognises the lines Spin prints for its own reasons in a container log, so the view can
 * highlight them and explain each kind once:
 *
 * - the HTTP trigger's startup banner (`Serving http://0.0.0.0:80`, `Available Routes:` and the
 *   indented `<component>: <url> [(wildcard)]` lines after it) — FACTS.md (c) `spin up`;
 * - a denied outbound request: Spin's `A component tried to make a HTTP request to non-allowed
 *   host '…'` (Spin 2), `… an outbound network connection to disallowed destination '…'` /
 *   `… a request to non-allowed url '…'` (Spin 3 factors), `… to its own app / the same component
 *   but it does not have permission`, and the hint line `To allow requests, add
 *   'allowed_outbound_hosts = [...]' to the manifest component section` (spinframework/spin
 *   `crates/trigger/src/factors.rs`, `crates/factor-outbound-http`);
 * - a Wasm trap (`wasm trap: …`, `error while executing at wasm backtrace:`, `component trapped`)
 *   with its numbered backtrace frames (`  0: 0x1f2e - <unknown>!func`);
 * - a Rust panic in a component (`thread '<unnamed>' panicked at src/lib.rs:10:5:` and the older
 *   `panicked at 'msg', src/lib.rs…`, the `RUST_BACKTRACE` note);
 * - Spin's own fatal error (`Error: …`, then `Caused by:` and its numbered causes) — FACTS.md (c).
 *
 * One recogniser per container stream: frames and causes belong to the block that started them.
 * A single combined pre-check keeps ordinary lines at one regex test. vscode-free.
 */

/** The kinds of Spin line. */
export type SpinLineKind = "listening" | "routes" | "outboundDenied" | "trap" | "panic" | "error";

/** A recognised line. */
export interface SpinMatch {
  kind: SpinLineKind;
  /** For outboundDenied: the host pattern to allow (`https://api.example.com:443`), when printed. */
  host?: string;
  /** For listening: the URL Spin serves on. */
  url?: string;
}

/** The one-time explanation shown before the first line of each kind. */
export const SPIN_EXPLANATIONS: Record<SpinLineKind, string> = {
  listening:
    "Spin's HTTP trigger is up: it prints the address it listens on inside the pod (the operator sets SPIN_HTTP_LISTEN_ADDR=0.0.0.0:80) and then its routes. Reach it through the SpinApp's Service (port 80), e.g. with Port Forward.",
  routes: "The routes Spin serves: one line per component, `(wildcard)` for a route ending in /...",
  outboundDenied:
    "Spin blocked an outbound request: the component's allowed_outbound_hosts in spin.toml does not list this destination. Add the host Spin names (scheme://host:port) to that component's allowed_outbound_hosts, rebuild, push and redeploy.",
  trap:
    "A Wasm trap: the component hit a fatal error (unreachable instruction, out-of-bounds memory, stack overflow, a panic compiled to `unreachable`...). The numbered lines are the Wasm backtrace, innermost first; set WASMTIME_BACKTRACE_DETAILS=1 (a SpinApp variable cannot set it; an env on the container can) for source lines.",
  panic:
    "A Rust panic inside a component: the message and the source location follow `panicked at`. In Wasm a panic aborts the request with a trap; the request fails with HTTP 500.",
  error: "Spin itself reported an error (`Error:` then `Caused by:` with the chain of causes). If it happens at startup the container exits and Kubernetes restarts it (CrashLoopBackOff).",
};

const PRECHECK = /Serving https?:|Available Routes:|panicked at|wasm trap|wasm backtrace|trapped|A component tried to make|allowed_outbound_hosts|^Error: |^Caused by:|RUST_BACKTRACE|WASMTIME_BACKTRACE/;
const SERVING = /^\s*Serving (https?:\/\/\S+)/;
const DENIED_HOST = /A component tried to make an? (?:HTTP request|outbound network connection|request) to (?:non-allowed host|disallowed destination|non-allowed url) '([^']*)'/;
const DENIED_SELF = /A component tried to make an? HTTP request to (?:its own app|the same component) but it does not have permission/;
const ALLOW_HINT = /To allow (?:requests|this request), add 'allowed_outbound_hosts = \["([^"]*)"\]'/;
const TRAP = /wasm trap|error while executing at wasm backtrace|component trapped|WebAssembly trapped|WASMTIME_BACKTRACE_DETAILS/i;
const PANIC = /panicked at|RUST_BACKTRACE/;
const FRAME = /^\s+\d+:\s+(?:0x[0-9a-f]+ - |\S)/;
const ROUTE = /^\s+\S+: https?:\/\/\S+( \(wildcard\))?\s*$/;
const INDENTED = /^\s+\S/;
const CONT = /^(?:Caused by:|\s+at |\s+\d+: )/;

/** Recognises Spin lines of one stream (keeps the block state of backtraces and routes). */
export class SpinLineRecognizer {
  private block: SpinLineKind | undefined;
  /** Rust ≥ 1.73 prints the panic message on the line after `panicked at <file>:<line>:<col>:`. */
  private panicMessageNext = false;

  /** The Spin kind of a line, or undefined for an ordinary line. */
  recognize(text: string): SpinMatch | undefined {
    if (this.block) {
      const cont = this.continuation(text);
      if (cont) return cont;
      this.block = undefined;
      this.panicMessageNext = false;
    }
    if (!PRECHECK.test(text)) return undefined;
    let m: RegExpExecArray | null;
    if ((m = SERVING.exec(text))) return { kind: "listening", url: m[1] };
    if (text.includes("Available Routes:")) return this.open("routes");
    if ((m = DENIED_HOST.exec(text))) return { kind: "outboundDenied", host: m[1] };
    if (DENIED_SELF.test(text)) return { kind: "outboundDenied", host: "self" };
    if ((m = ALLOW_HINT.exec(text))) return { kind: "outboundDenied", host: m[1] };
    if (TRAP.test(text)) return this.open("trap");
    if (PANIC.test(text)) {
      this.panicMessageNext = /panicked at .*:\d+:\d+:\s*$/.test(text);
      return this.open("panic");
    }
    if (text.startsWith("Error: ") || text.startsWith("Caused by:")) return this.open("error");
    return undefined;
  }

  private open(kind: SpinLineKind): SpinMatch {
    this.block = kind;
    return { kind };
  }

  private continuation(text: string): SpinMatch | undefined {
    const block = this.block;
    if (block === "routes") {
      // Route lines, and a component description indented below its route.
      return ROUTE.test(text) || INDENTED.test(text) ? { kind: "routes" } : undefined;
    }
    if (block === "panic" && this.panicMessageNext && text.trim() !== "") {
      this.panicMessageNext = false;
      return { kind: "panic" };
    }
    if (block === "trap" || block === "panic" || block === "error") {
      const trap = TRAP.test(text);
      if (FRAME.test(text) || CONT.test(text) || trap || PANIC.test(text)) {
        // A trap reported inside a panic's or an error's block makes the block a trap.
        if (trap) this.block = "trap";
        else if (PANIC.test(text)) this.panicMessageNext = false;
        return { kind: this.block ?? block };
      }
    }
    return undefined;
  }
}
