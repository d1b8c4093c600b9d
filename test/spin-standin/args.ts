// The stand-in spin's command line: the commands, aliases and flags of the real CLI exactly as
// ../shared/spinkube/FACTS.md section (c) lists them (nothing more: the contract test checks
// this table against FACTS.md), parsed the way clap does it for Spin's own commands — unknown
// flags, missing values and missing required arguments print clap's `error: …` block and exit 2 —
// and the way cobra does it for the kube plugin (`Error: unknown flag: --x`, exit 1).

/** One flag of a command. */
export interface FlagSpec {
  /** Canonical long name without dashes (the key in the parsed result). */
  name: string;
  long?: string[];
  short?: string;
  /** Takes a value (`--from x`, `--from=x`, `-f x`). */
  value?: string;
  repeat?: boolean;
}

/** One (sub)command. */
export interface CommandSpec {
  /** The path and its aliases, e.g. ["registry push", "oci push"]. */
  paths: string[];
  usage: string;
  flags: FlagSpec[];
  /** Positional argument names in order; a trailing `...` name takes the rest. */
  positionals: { name: string; required?: boolean; rest?: boolean }[];
  /** "clap" (spin's own commands) or "cobra" (the kube plugin). */
  parser: "clap" | "cobra";
}

const f = (name: string, o: Omit<FlagSpec, "name"> = {}): FlagSpec => ({ name, long: o.long ?? [name], ...o });

/** The commands the stand-in implements, with FACTS (c)'s flags. */
export const COMMANDS: CommandSpec[] = [
  {
    paths: ["build", "b"],
    usage: "spin build [OPTIONS] [UP_ARGS]...",
    parser: "clap",
    flags: [
      f("from", { long: ["from", "file"], short: "f", value: "APP_MANIFEST_FILE" }),
      f("component-id", { short: "c", value: "ID", repeat: true }),
      f("skip-target-checks", { long: ["skip-target-checks", "skip-target-check"] }),
      f("profile", { value: "NAME" }),
      f("skip-generate-wits", { long: ["skip-generate-wits", "skip-generate-wit"] }),
      f("up", { short: "u" }),
    ],
    positionals: [{ name: "UP_ARGS", rest: true }],
  },
  {
    paths: ["registry push", "oci push"],
    usage: "spin registry push [OPTIONS] <REFERENCE>",
    parser: "clap",
    flags: [
      f("from", { long: ["from", "file"], short: "f", value: "APP_MANIFEST_FILE" }),
      f("insecure", { short: "k" }),
      f("build"),
      f("annotation", { value: "ANNOTATIONS", repeat: true }),
      f("compose", { value: "COMPOSE" }),
      f("cache-dir", { value: "CACHE_DIR" }),
      f("profile", { value: "PROFILE" }),
    ],
    positionals: [{ name: "REFERENCE", required: true }],
  },
  {
    paths: ["registry login", "oci login"],
    usage: "spin registry login [OPTIONS] <SERVER>",
    parser: "clap",
    flags: [f("username", { short: "u", value: "USERNAME" }), f("password", { short: "p", value: "PASSWORD" }), f("password-stdin")],
    positionals: [{ name: "SERVER", required: true }],
  },
  {
    paths: ["registry pull", "oci pull"],
    usage: "spin registry pull [OPTIONS] <REFERENCE>",
    parser: "clap",
    // FACTS (c) lists `-k` only here (the real CLI also has --insecure).
    flags: [f("insecure", { long: [], short: "k" }), f("cache-dir", { value: "CACHE_DIR" })],
    positionals: [{ name: "REFERENCE", required: true }],
  },
  {
    paths: ["up", "u"],
    usage: "spin up [OPTIONS] [TRIGGER OPTIONS]",
    parser: "clap",
    flags: [
      f("from", { short: "f", value: "APPLICATION" }),
      f("from-file", { long: ["from-file", "file"], value: "APP_MANIFEST_FILE" }),
      f("from-registry", { value: "APP_OCI_REF" }),
      f("insecure", { short: "k" }),
      f("build"),
      f("profile", { value: "PROFILE" }),
      f("component-id", { short: "c", value: "COMPONENT_ID", repeat: true }),
      f("env", { short: "e", value: "ENV", repeat: true }),
      f("temp", { long: ["temp", "tmp"], value: "TMP" }),
      f("cache-dir", { value: "CACHE_DIR" }),
      f("direct-mounts"),
      f("log-dir", { short: "L", value: "APP_LOG_DIR" }),
      f("truncate-logs"),
      f("disable-cache"),
      f("cache", { value: "WASMTIME_CACHE_FILE" }),
      f("disable-pooling"),
      f("debug-info"),
      f("follow", { value: "FOLLOW_ID", repeat: true }),
      f("quiet", { short: "q" }),
      f("runtime-config-file", { value: "RUNTIME_CONFIG_FILE" }),
      f("state-dir", { value: "STATE_DIR" }),
      f("key-value", { value: "KEY_VALUES", repeat: true }),
      f("sqlite", { value: "SQLITE_STATEMENTS", repeat: true }),
      f("variable", { value: "VARIABLES", repeat: true }),
      f("max-instance-memory", { value: "MAX_INSTANCE_MEMORY" }),
      f("allow-transient-write"),
      f("listen", { value: "ADDRESS" }),
      f("tls-cert", { value: "TLS_CERT" }),
      f("tls-key", { value: "TLS_KEY" }),
      f("http1-max-buf-size", { value: "HTTP1_MAX_BUF_SIZE" }),
      f("find-free-port"),
      f("format", { value: "FORMAT" }),
    ],
    positionals: [],
  },
  {
    paths: ["plugins list", "plugin list"],
    usage: "spin plugins list [OPTIONS]",
    parser: "clap",
    flags: [f("installed"), f("format", { value: "FORMAT" })],
    positionals: [],
  },
  {
    paths: ["plugins install", "plugin install"],
    usage: "spin plugins install [OPTIONS] [PLUGIN_NAME]",
    parser: "clap",
    flags: [
      f("yes", { long: [], short: "y" }),
      f("version", { long: [], short: "v", value: "VERSION" }),
      f("override-compatibility-check"),
      f("file", { long: [], short: "f", value: "LOCAL_PLUGIN_MANIFEST" }),
      f("url", { long: [], short: "u", value: "REMOTE_PLUGIN_MANIFEST" }),
      f("auth-header-value", { value: "AUTH_HEADER_VALUE" }),
    ],
    positionals: [{ name: "PLUGIN_NAME" }],
  },
  {
    paths: ["plugins update", "plugin update"],
    usage: "spin plugins update",
    parser: "clap",
    flags: [],
    positionals: [],
  },
  {
    paths: ["kube scaffold"],
    usage: "spin kube scaffold [flags]",
    parser: "cobra",
    flags: [
      f("from", { short: "f", value: "string" }),
      f("replicas", { short: "r", value: "int32" }),
      f("executor", { value: "string" }),
      f("out", { short: "o", value: "string" }),
      f("runtime-config-file", { short: "c", value: "string" }),
      f("image-pull-secret", { short: "s", value: "strings", repeat: true }),
      f("variable", { short: "v", value: "stringToString", repeat: true }),
      f("component", { value: "strings", repeat: true }),
      f("autoscaler", { value: "string" }),
      f("max-replicas", { value: "int32" }),
      f("autoscaler-target-cpu-utilization", { value: "int32" }),
      f("autoscaler-target-memory-utilization", { value: "int32" }),
      f("cpu-limit", { value: "string" }),
      f("memory-limit", { value: "string" }),
      f("cpu-request", { value: "string" }),
      f("memory-request", { value: "string" }),
      f("service-account-name", { value: "string" }),
      f("azure-identity"),
      f("kubeconfig", { value: "string" }),
      f("namespace", { short: "n", value: "string" }),
    ],
    positionals: [],
  },
];

/** Parsed flags: booleans are `true`, values strings, repeatable flags arrays. */
export type Parsed = { flags: Record<string, string | boolean | string[]>; positionals: Record<string, string | string[]> };

/** A usage error: the text to print on stderr and the exit code. */
export class UsageError extends Error {
  constructor(
    readonly text: string,
    readonly code: number,
  ) {
    super(text);
  }
}

function clapError(spec: CommandSpec, msg: string): UsageError {
  return new UsageError(`error: ${msg}\n\nUsage: ${spec.usage}\n\nFor more information, try '--help'.\n`, 2);
}

/** Parses `args` (after the command path) against `spec`. */
export function parseArgs(spec: CommandSpec, args: string[]): Parsed {
  const flags: Parsed["flags"] = {};
  const pos: string[] = [];
  const set = (fl: FlagSpec, value: string | true): void => {
    if (fl.repeat) flags[fl.name] = [...((flags[fl.name] as string[] | undefined) ?? []), String(value)];
    else {
      if (flags[fl.name] !== undefined && spec.parser === "clap") throw clapError(spec, `the argument '--${fl.name}' cannot be used multiple times`);
      flags[fl.name] = value;
    }
  };
  const unknown = (a: string): UsageError => (spec.parser === "cobra" ? new UsageError(`Error: unknown ${a.startsWith("--") ? "flag" : "shorthand flag"}: ${a.startsWith("--") ? a.split("=")[0] : `'${a.slice(1, 2)}' in ${a}`}\n`, 1) : clapError(spec, `unexpected argument '${a.split("=")[0]}' found`));
  let rest = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (rest) {
      pos.push(a);
      continue;
    }
    if (a === "--") {
      rest = true;
      continue;
    }
    if (a.startsWith("--") && a.length > 2) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const fl = spec.flags.find((x) => x.long?.includes(name));
      if (!fl) throw unknown(a);
      if (fl.value) {
        const v = inline ?? args[++i];
        if (v === undefined) throw spec.parser === "cobra" ? new UsageError(`Error: flag needs an argument: --${name}\n`, 1) : clapError(spec, `a value is required for '--${name} <${fl.value}>' but none was supplied`);
        set(fl, v);
      } else {
        if (inline !== undefined) throw clapError(spec, `unexpected value '${inline}' for '--${name}' found; no more were expected`);
        set(fl, true);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1 && !/^-\d/.test(a)) {
      const fl = spec.flags.find((x) => x.short === a[1]);
      if (!fl) throw unknown(a);
      if (fl.value) {
        const v = a.length > 2 ? a.slice(2).replace(/^=/, "") : args[++i];
        if (v === undefined) throw spec.parser === "cobra" ? new UsageError(`Error: flag needs an argument: '${a[1]}' in ${a}\n`, 1) : clapError(spec, `a value is required for '-${a[1]} <${fl.value}>' but none was supplied`);
        set(fl, v);
      } else {
        if (a.length > 2) throw unknown(a);
        set(fl, true);
      }
      continue;
    }
    pos.push(a);
  }
  const positionals: Parsed["positionals"] = {};
  let k = 0;
  for (const p of spec.positionals) {
    if (p.rest) {
      positionals[p.name] = pos.slice(k);
      k = pos.length;
    } else if (k < pos.length) positionals[p.name] = pos[k++];
  }
  if (k < pos.length) throw spec.parser === "cobra" ? new UsageError(`Error: unknown command "${pos[k]}" for "kube scaffold"\n`, 1) : clapError(spec, `unexpected argument '${pos[k]}' found`);
  const missing = spec.positionals.filter((p) => p.required && positionals[p.name] === undefined);
  if (missing.length) throw new UsageError(`error: the following required arguments were not provided:\n${missing.map((m) => `  <${m.name}>`).join("\n")}\n\nUsage: ${spec.usage}\n\nFor more information, try '--help'.\n`, 2);
  return { flags, positionals };
}

/** Every flag spelling a command accepts (`--from`, `-f`, `--file` …), for the contract test. */
export function spellings(spec: CommandSpec): string[] {
  return spec.flags.flatMap((fl) => [...(fl.long ?? []).map((l) => `--${l}`), ...(fl.short ? [`-${fl.short}`] : [])]);
}

/** Finds the command for argv: returns the spec and the remaining args. */
export function findCommand(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  for (const spec of COMMANDS) {
    for (const p of spec.paths) {
      const words = p.split(" ");
      if (words.every((w, i) => argv[i] === w)) return { spec, rest: argv.slice(words.length) };
    }
  }
  return undefined;
}
