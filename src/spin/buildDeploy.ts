/**
 * Build & Deploy as pipeline steps (./pipeline.ts runs them, timed, stopping at the first failure
 * or cancellation): check the target (cluster reachable, namespace present, kube plugin there when
 * a scaffold will be needed) → build → push (digest captured) → manifest (update the SpinApp's
 * image in place to `<repo>@<digest>`, or scaffold it) → apply (dry run, then server-side apply)
 * → wait until Available. The checks come first so a missing namespace or plugin is reported
 * before a long build; nothing reaches the cluster before the apply step, and nothing is applied
 * after a failed or cancelled step. vscode-free: the VS Code command and the tests drive it alike.
 */
import { existsSync } from "node:fs";
import type { DeployCluster, DeployOutcome, KObj } from "./deploy";
import { applyObjects, checkTarget, spinAppOf, waitUntilServing } from "./deploy";
import type { SpinManifest } from "./manifest";
import type { PipelineListener, PipelineResult, PipelineStep } from "./pipeline";
import { runPipeline } from "./pipeline";
import type { Stream } from "./process";
import type { RegistryCredentials } from "./registryClient";
import { fail, ok } from "./result";
import type { Result } from "./result";
import type { ScaffoldOptions } from "./spinArgs";
import type { SpinCli } from "./spinCli";
import { manifestObjects } from "./spinAppManifest";
import type { ManifestOutcome, PushOutcome } from "./toolchain";
import { build, prepareManifest, push, scaffold } from "./toolchain";
import type { SpinVersion } from "./spinOutput";

/** What Build & Deploy needs. */
export interface BuildDeployPlan {
  cli: SpinCli;
  /** The spin version (for the plugin list format). */
  spinVersion: SpinVersion;
  app: SpinManifest;
  componentIds?: readonly string[];
  /** Where to push (`registry/repo:tag`). */
  reference: string;
  /** Plain HTTP registry (spin's `--insecure`). */
  insecure?: boolean;
  credentials?: RegistryCredentials;
  /** The workspace SpinApp manifest (updated in place, or scaffolded when missing). */
  manifestFile: string;
  /** Flags for `spin kube scaffold` besides `--from`. */
  scaffold?: Omit<ScaffoldOptions, "from">;
  /** The kubeconfig file(s) to hand to `spin kube scaffold`. */
  kubeconfig?: string;
  /** Connects to the chosen context (called once, in the first step). */
  connect(): Promise<Result<DeployCluster>>;
  /** Target namespace (default: the context's). */
  namespace?: string;
  timeoutMs?: number;
  /** spin's output, line by line. */
  onLine?(stream: Stream, line: string): void;
}

/** What the steps produce, in order. */
export interface BuildDeployState {
  cluster?: DeployCluster;
  namespace?: string;
  pushed?: PushOutcome;
  manifest?: ManifestOutcome;
  objects?: KObj[];
  applied?: string[];
  deployed?: DeployOutcome;
}

/** The steps of Build & Deploy. */
export function buildDeploySteps(plan: BuildDeployPlan): PipelineStep<BuildDeployState>[] {
  return [
    {
      id: "check",
      title: "Check",
      run: async (st, signal, report) => {
        report(`connecting to the cluster`);
        const c = await plan.connect();
        if (!c.ok) return c;
        st.cluster = c.value;
        st.namespace = plan.namespace ?? c.value.defaultNamespace;
        if (signal.aborted) return fail("cancelled", "Cancelled.");
        const t = await checkTarget(c.value, st.namespace);
        if (!t.ok) return t;
        if (!existsSync(plan.manifestFile)) {
          const has = await plan.cli.hasKubePlugin(plan.spinVersion, signal);
          if (!has.ok) return has;
          if (!has.value) return fail("pluginMissing", "Scaffolding the SpinApp needs the spin kube plugin, which is not installed: install it with `spin plugins install kube`.");
        }
        return ok(undefined);
      },
    },
    {
      id: "build",
      title: "Build",
      run: (_st, signal, report) => {
        report(`spin build ${plan.app.name}`);
        return build(plan.cli, plan.app, { componentIds: plan.componentIds, signal, onLine: plan.onLine });
      },
    },
    {
      id: "push",
      title: "Push",
      run: async (st, signal, report) => {
        report(`spin registry push ${plan.reference}`);
        const r = await push(plan.cli, plan.app, plan.reference, { insecure: plan.insecure, credentials: plan.credentials, signal, onLine: plan.onLine });
        if (r.ok) st.pushed = r.value;
        return r;
      },
    },
    {
      id: "manifest",
      title: "Manifest",
      run: async (st, signal, report) => {
        const image = st.pushed?.immutableRef ?? plan.reference;
        report(existsSync(plan.manifestFile) ? `image ${image}` : "spin kube scaffold");
        const r = await prepareManifest(plan.manifestFile, image, () => scaffold(plan.cli, { ...plan.scaffold, from: image }, { signal, kubeconfig: plan.kubeconfig, cwd: plan.app.dir, onLine: plan.onLine }), { signal });
        if (!r.ok) return r;
        st.manifest = r.value;
        const objs = manifestObjects(r.value.text);
        if (!objs.ok) return objs;
        st.objects = objs.value as KObj[];
        return ok(undefined);
      },
    },
    {
      id: "apply",
      title: "Apply",
      run: async (st, signal, report) => {
        if (!st.cluster || !st.objects || !st.namespace) return fail("failed", "Nothing to apply.");
        report(`server-side apply to ${st.namespace}`);
        const r = await applyObjects(st.cluster, st.objects, st.namespace, signal);
        if (r.ok) st.applied = r.value;
        return r;
      },
    },
    {
      id: "wait",
      title: "Wait",
      run: async (st, signal, report) => {
        if (!st.cluster || !st.objects || !st.namespace || !st.applied) return fail("failed", "Nothing was applied.");
        const app = spinAppOf(st.objects);
        if (!app.ok) return app;
        const r = await waitUntilServing(st.cluster, { name: app.value.name, image: app.value.image, namespace: st.namespace, applied: st.applied }, { signal, timeoutMs: plan.timeoutMs, onProgress: report });
        if (r.ok) st.deployed = r.value;
        return r;
      },
    },
  ];
}

/** Runs Build & Deploy. */
export async function runBuildDeploy(plan: BuildDeployPlan, signal: AbortSignal, listener: PipelineListener = {}): Promise<{ result: PipelineResult; state: BuildDeployState }> {
  const state: BuildDeployState = {};
  const result = await runPipeline(buildDeploySteps(plan), state, signal, listener);
  return { result, state };
}

/** The path to open after a deploy: the first public HTTP route (a wildcard opens its prefix). */
export function firstRoutePath(app: SpinManifest): string {
  const r = app.httpRoutes.find((x) => !x.private && x.route);
  if (!r?.route) return "/";
  const p = r.route.endsWith("/...") ? r.route.slice(0, -4) : r.route;
  return p.startsWith("/") ? p || "/" : `/${p}`;
}
