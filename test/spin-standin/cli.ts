// The stand-in `spin` (tests put test/spin-standin/bin/spin, or a generated wrapper, on PATH):
// the real CLI's contract from ../shared/spinkube/FACTS.md section (c) — commands and aliases,
// exactly the listed flags (./args.ts), the same stdout/stderr lines and exit codes (0; 1 with
// `Error: <message>` and a `Caused by:` chain; 2 for usage errors and unknown commands), upward
// spin.toml discovery — doing the real work offline: `build` runs the manifest's build commands,
// `registry push/pull/login` talk to a real OCI registry, `up` serves the component with jco,
// `kube scaffold` prints the plugin's YAML, `plugins` keeps its state under the data folder.
//
// Environment: SPIN_STANDIN_VERSION (default 3.6.3) changes `spin --version`; SPIN_STANDIN_LOG,
// when set, gets one JSON line per invocation ({argv, cwd}) so tests can check what the
// extension passed; XDG_CONFIG_HOME / XDG_DATA_HOME hold the login and plugin state.

import { appendFileSync, readFileSync } from "node:fs";
import type { Parsed } from "./args";
import { UsageError, findCommand, parseArgs } from "./args";
import { SpinError, findManifest, loadApp } from "./app";
import { buildApp } from "./build";
import { KUBE_PLUGIN_VERSION, installPlugin, installedPlugins, scaffold } from "./kube";
import { parseRef, pullApp, pushApp, saveCredentials, validateLogin } from "./oci";
import { upApp } from "./up";

const VERSION = process.env.SPIN_STANDIN_VERSION ?? "3.6.3";

function printError(err: SpinError): void {
  process.stderr.write(`Error: ${err.message}\n`);
  if (err.causes.length) {
    process.stderr.write("\nCaused by:\n");
    if (err.causes.length === 1) process.stderr.write(`      ${err.causes[0]}\n`);
    else err.causes.forEach((c, i) => process.stderr.write(`${String(i).padStart(4)}: ${c}\n`));
  }
}

const str = (p: Parsed, k: string): string | undefined => (typeof p.flags[k] === "string" ? (p.flags[k] as string) : undefined);
const strs = (p: Parsed, k: string): string[] => (Array.isArray(p.flags[k]) ? (p.flags[k] as string[]) : []);

async function run(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  if (process.env.SPIN_STANDIN_LOG) appendFileSync(process.env.SPIN_STANDIN_LOG, `${JSON.stringify({ argv, cwd })}\n`);
  if (argv[0] === "--version" || argv[0] === "-V") {
    process.stdout.write(`spin ${VERSION} (88d51cf 2025-09-04)\n`);
    return 0;
  }
  if (!argv.length || argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write("The Spin CLI (stand-in for tests)\n\nUsage: spin <COMMAND>\n");
    return argv.length ? 0 : 2;
  }
  if (argv[0] === "kube" && !installedPlugins().has("kube")) {
    process.stderr.write("Error: 'kube' is not a known Spin command. See spin --help.\n");
    return 2;
  }
  const found = findCommand(argv);
  if (!found) {
    if (argv[0].startsWith("-")) {
      process.stderr.write(`error: unexpected argument '${argv[0]}' found\n\nUsage: spin <COMMAND>\n\nFor more information, try '--help'.\n`);
      return 2;
    }
    process.stderr.write(`Error: '${argv[0]}' is not a known Spin command. See spin --help.\n`);
    return 2;
  }
  let p: Parsed;
  try {
    p = parseArgs(found.spec, found.rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.text);
      return err.code;
    }
    throw err;
  }
  const cmd = found.spec.paths[0];
  switch (cmd) {
    case "build": {
      const upArgs = (p.positionals.UP_ARGS as string[] | undefined) ?? [];
      if (upArgs.length && !p.flags.up) {
        process.stderr.write(`error: unexpected argument '${upArgs[0]}' found\n\nUsage: ${found.spec.usage}\n\nFor more information, try '--help'.\n`);
        return 2;
      }
      const app = loadApp(findManifest(str(p, "from"), cwd));
      await buildApp(app, strs(p, "component-id"));
      if (p.flags.up) return run(["up", "--from", app.file, ...upArgs]);
      return 0;
    }
    case "registry push": {
      const app = loadApp(findManifest(str(p, "from"), cwd));
      if (p.flags.build || /^(1|true|yes)$/i.test(process.env.SPIN_ALWAYS_BUILD ?? "")) await buildApp(app, []);
      const compose = str(p, "compose");
      if (compose !== undefined && compose !== "true" && compose !== "false") {
        process.stderr.write(`error: invalid value '${compose}' for '--compose <COMPOSE>'\n  [possible values: true, false]\n\nFor more information, try '--help'.\n`);
        return 2;
      }
      const annotations: Record<string, string> = {};
      for (const a of strs(p, "annotation")) {
        const i = a.indexOf("=");
        if (i < 0) {
          process.stderr.write(`error: invalid value '${a}' for '--annotation <ANNOTATIONS>': Expected 'key=value' format\n\nFor more information, try '--help'.\n`);
          return 2;
        }
        annotations[a.slice(0, i)] = a.slice(i + 1);
      }
      const reference = p.positionals.REFERENCE as string;
      parseRef(reference);
      process.stderr.write("Pushing app to the Registry.\n");
      const digest = await pushApp(app, reference, { insecure: !!p.flags.insecure, annotations });
      process.stdout.write(`Pushed with digest ${digest}\n`);
      return 0;
    }
    case "registry pull": {
      process.stderr.write("Pulling app from the Registry.\n");
      await pullApp(p.positionals.REFERENCE as string, { insecure: !!p.flags.insecure });
      process.stdout.write("Successfully pulled the app from the registry\n");
      return 0;
    }
    case "registry login": {
      const server = p.positionals.SERVER as string;
      const username = str(p, "username");
      if (p.flags.password && p.flags["password-stdin"]) {
        process.stderr.write(`error: the argument '--password <PASSWORD>' cannot be used with '--password-stdin'\n\nUsage: ${found.spec.usage}\n\nFor more information, try '--help'.\n`);
        return 2;
      }
      if (!username || (!p.flags["password-stdin"] && !p.flags.password)) throw new SpinError("IO error: not a terminal");
      const password = p.flags["password-stdin"] ? readFileSync(0, "utf8") : (str(p, "password") ?? "");
      const host = server.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
      await validateLogin(host, username, password);
      saveCredentials(host, username, password);
      process.stdout.write(`Successfully logged in as ${username} to registry ${server}\n`);
      return 0;
    }
    case "up": {
      const from = str(p, "from") ?? str(p, "from-file");
      if (str(p, "from-registry")) throw new SpinError("the spin stand-in runs local apps only");
      const app = loadApp(findManifest(from, cwd));
      if (p.flags.build) await buildApp(app, []);
      return upApp(app, { listen: str(p, "listen"), componentIds: strs(p, "component-id"), findFreePort: !!p.flags["find-free-port"] });
    }
    case "plugins list": {
      const format = str(p, "format") ?? "plain";
      if (format !== "plain" && format !== "json") {
        process.stderr.write(`error: invalid value '${format}' for '--format <FORMAT>'\n  [possible values: plain, json]\n\nFor more information, try '--help'.\n`);
        return 2;
      }
      if (format === "json" && VERSION.localeCompare("3.2.0", undefined, { numeric: true }) < 0) {
        process.stderr.write(`error: unexpected argument '--format' found\n\nUsage: ${found.spec.usage}\n\nFor more information, try '--help'.\n`);
        return 2;
      }
      const plugins = [...installedPlugins()].sort(([a], [b]) => a.localeCompare(b));
      if (format === "json") process.stdout.write(`${JSON.stringify(plugins.map(([name, version]) => ({ name, installed: true, version, installedVersion: version })), null, 2)}\n`);
      else process.stdout.write(plugins.length ? plugins.map(([n, v]) => `${n} ${v} [installed]\n`).join("") : "No plugins found\n");
      return 0;
    }
    case "plugins install": {
      const name = p.positionals.PLUGIN_NAME as string | undefined;
      if (!name) throw new SpinError("For plugin lookup, must provide exactly one of: plugin name, url to manifest, local path to manifest");
      if (name !== "kube") throw new SpinError(`Could not find plugin '${name}' in the catalogue`);
      const have = installedPlugins().get(name);
      if (have) {
        process.stderr.write(`Plugin '${name}' is already installed with version ${have}.\n`);
        return 0;
      }
      if (!p.flags.yes) {
        process.stdout.write(`You are trying to install the \`${name}\` plugin with Apache-2.0 license from https://github.com/spinframework/spin-plugin-kube/releases \n`);
        throw new SpinError("IO error: not a terminal");
      }
      installPlugin(name, KUBE_PLUGIN_VERSION);
      process.stdout.write(`Plugin '${name}' was installed successfully!\n\nDescription:\n\tManage apps running on Kubernetes\n\nHomepage:\n\thttps://github.com/spinframework/spin-plugin-kube\n`);
      return 0;
    }
    case "plugins update":
      process.stdout.write("Plugin information updated successfully\n");
      return 0;
    case "kube scaffold":
      scaffold(p, cwd);
      return 0;
  }
  return 2;
}

process.env.SPIN_VERSION ??= VERSION;
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof SpinError) printError(err);
    else process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
