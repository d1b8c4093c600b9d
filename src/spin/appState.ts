/**
 * What the spin toolchain remembers and reads in VS Code: the `spinkube.spin.*`,
 * `spinkube.registry.*` and `spinkube.deploy.*` settings (typed), per-app workspace state keyed by
 * the spin.toml path (the push reference, the last pushed digest, where the app was last deployed,
 * its manifest file), and registry passwords in SecretStorage (never in settings, logs or state).
 */
import * as vscode from "vscode";
import { CONFIG_SECTION } from "../constants";
import type { RegistryCredentials } from "./registryClient";
import type { LastPush } from "./stale";

/** Typed `spinkube.*` settings of the toolchain. */
export interface SpinSettings {
  /** `spinkube.spin.path` ("" = PATH). Restricted in untrusted workspaces. */
  spinPath: string;
  /** `spinkube.spin.listen`: address for Run Locally. */
  listen: string;
  /** `spinkube.registry.insecureRegistries`: hosts spoken to over plain HTTP (spin's --insecure). */
  insecureRegistries: string[];
  /** `spinkube.registry.defaultPath`: `<registry>/<path>` prefilling a first push's reference ("" = none). */
  defaultPath: string;
  /** `spinkube.deploy.namespace` ("" = the explorer's choice, else the context's default). */
  namespace: string;
  /** `spinkube.deploy.manifestFile`: the SpinApp manifest next to spin.toml. */
  manifestFile: string;
  /** `spinkube.deploy.replicas` for scaffolding. */
  replicas: number;
  /** `spinkube.deploy.executor` for scaffolding ("" = the plugin's default). */
  executor: string;
  /** `spinkube.deploy.timeoutSeconds`: how long to wait for Available. */
  timeoutSeconds: number;
  /** `spinkube.spin.codeLens`. */
  codeLens: boolean;
}

/** Reads the settings. */
export function spinSettings(scope?: vscode.ConfigurationScope): SpinSettings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  return {
    spinPath: c.get<string>("spin.path", "").trim(),
    listen: c.get<string>("spin.listen", "127.0.0.1:3000").trim() || "127.0.0.1:3000",
    insecureRegistries: c.get<string[]>("registry.insecureRegistries", []).map((s) => s.trim()).filter(Boolean),
    defaultPath: c.get<string>("registry.defaultPath", "").trim().replace(/\/+$/, ""),
    namespace: c.get<string>("deploy.namespace", "").trim(),
    manifestFile: c.get<string>("deploy.manifestFile", "spinapp.yaml").trim() || "spinapp.yaml",
    replicas: Math.max(1, Math.floor(c.get<number>("deploy.replicas", 1))),
    executor: c.get<string>("deploy.executor", "").trim(),
    timeoutSeconds: Math.max(5, c.get<number>("deploy.timeoutSeconds", 180)),
    codeLens: c.get<boolean>("spin.codeLens", true),
  };
}

/** True when the registry host is spoken to over plain HTTP. */
export function isInsecure(settings: SpinSettings, registry: string): boolean {
  return settings.insecureRegistries.includes(registry);
}

/** Where an app was last deployed. */
export interface DeployTarget {
  context: string;
  namespace: string;
  name: string;
}

/** What is remembered per app. */
export interface AppMemory {
  reference?: string;
  lastPush?: LastPush;
  target?: DeployTarget;
}

const KEY = "spinkube.spin.apps";

/** Per-app memory in workspace state. */
export class AppStore {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  private all(): Record<string, AppMemory> {
    return this.state.get<Record<string, AppMemory>>(KEY, {});
  }

  /** Fires when any app's memory changes. */
  onDidChange(listener: () => void): vscode.Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(manifestFile: string): AppMemory {
    return this.all()[manifestFile] ?? {};
  }

  /** Every remembered app (spin.toml path → memory). */
  entries(): [string, AppMemory][] {
    return Object.entries(this.all());
  }

  async update(manifestFile: string, patch: Partial<AppMemory>): Promise<void> {
    const all = { ...this.all() };
    all[manifestFile] = { ...all[manifestFile], ...patch };
    await this.state.update(KEY, all);
    for (const l of this.listeners) l();
  }

  private secretKey(server: string): string {
    return `spinkube.registry:${server}`;
  }

  /** Saved credentials for a registry host. */
  async credentials(server: string): Promise<RegistryCredentials | undefined> {
    const raw = await this.secrets.get(this.secretKey(server));
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as RegistryCredentials;
      return typeof v.username === "string" && typeof v.password === "string" ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async saveCredentials(server: string, c: RegistryCredentials): Promise<void> {
    await this.secrets.store(this.secretKey(server), JSON.stringify(c));
  }

  async forgetCredentials(server: string): Promise<void> {
    await this.secrets.delete(this.secretKey(server));
  }
}
