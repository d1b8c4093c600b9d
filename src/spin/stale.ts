/**
 * The stale-deploy check: does the cluster run the build last pushed from this workspace? The
 * SpinApp's `spec.image` is compared with the last pushed digest of the same repository; a tag is
 * first resolved to the digest the registry serves for it (its manifest API), since only a digest
 * says which build runs. vscode-free.
 */
import { parseImageRef, sameRepository } from "./imageRef";
import type { Result } from "./result";

/** What the workspace last pushed for an app. */
export interface LastPush {
  /** The reference pushed to (`registry/repo:tag`). */
  reference: string;
  digest: string;
  /** When (ms since epoch). */
  at: number;
}

/** The verdict. */
export type Staleness =
  | { state: "current"; digest: string }
  | { state: "stale"; running: string; pushed: string; message: string }
  | { state: "unknown"; reason: string };

/** Compares the deployed image with the last push; `resolve` turns a tag reference into a digest. */
export async function checkStale(deployedImage: string | undefined, last: LastPush | undefined, resolve: (ref: string) => Promise<Result<string>>): Promise<Staleness> {
  if (!deployedImage) return { state: "unknown", reason: "the SpinApp is not deployed" };
  if (!last) return { state: "unknown", reason: "nothing was pushed from this workspace yet" };
  const running = parseImageRef(deployedImage);
  const pushed = parseImageRef(last.reference);
  if (!running) return { state: "unknown", reason: `spec.image "${deployedImage}" is not an image reference` };
  if (!pushed || !sameRepository(running, pushed)) return { state: "unknown", reason: `the cluster runs ${deployedImage}, another repository than the last push (${last.reference})` };
  let digest = running.digest;
  if (!digest) {
    const r = await resolve(deployedImage);
    if (!r.ok) return { state: "unknown", reason: `could not resolve ${deployedImage}: ${r.error.message}` };
    digest = r.value;
  }
  if (digest === last.digest) return { state: "current", digest };
  return { state: "stale", running: digest, pushed: last.digest, message: `The cluster runs an older build (${digest.slice(0, 19)}…, last pushed ${last.digest.slice(0, 19)}…): deploy again.` };
}

/** Where an app was deployed from this workspace. */
export interface StaleTarget {
  context: string;
  namespace: string;
  name: string;
}

/** What the tracker reads: the remembered apps, the cluster, the registry. */
export interface StaleSource {
  /** spin.toml path → last push and deploy target. */
  entries(): [string, { lastPush?: LastPush; target?: StaleTarget }][];
  /** The deployed SpinApp's spec.image (undefined = not deployed). */
  deployedImage(target: StaleTarget): Promise<string | undefined>;
  /** Tag → digest through the registry. */
  resolve(ref: string): Promise<Result<string>>;
}

/**
 * Keeps the stale-deploy verdict per app (spin.toml path) for the CodeLens and the explorer:
 * recomputed on demand (after a push or deploy, when the explorer sees the SpinApp change), never
 * on a timer; a listener hears every change of verdict.
 */
export class StaleTracker {
  private readonly verdicts = new Map<string, Staleness>();
  private readonly listeners = new Set<() => void>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly source: StaleSource) {}

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The verdict for an app, if computed. */
  get(manifestFile: string): Staleness | undefined {
    return this.verdicts.get(manifestFile);
  }

  /** The verdict for a deployed SpinApp (the explorer's view of it). */
  forTarget(context: string, namespace: string, name: string): Staleness | undefined {
    for (const [file, e] of this.source.entries()) {
      const t = e.target;
      if (t && t.context === context && t.namespace === namespace && t.name === name) return this.verdicts.get(file);
    }
    return undefined;
  }

  /** Recomputes one app (or every remembered app); concurrent calls for an app share one run. */
  async refresh(manifestFile?: string): Promise<void> {
    const files = manifestFile ? [manifestFile] : this.source.entries().map(([f]) => f);
    await Promise.all(files.map((f) => this.refreshOne(f)));
  }

  private refreshOne(file: string): Promise<void> {
    const existing = this.running.get(file);
    if (existing) return existing;
    const run = (async () => {
      const e = this.source.entries().find(([f]) => f === file)?.[1];
      let verdict: Staleness;
      if (!e?.target) verdict = { state: "unknown", reason: "not deployed from this workspace" };
      else {
        try {
          verdict = await checkStale(await this.source.deployedImage(e.target), e.lastPush, (r) => this.source.resolve(r));
        } catch (err) {
          verdict = { state: "unknown", reason: err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err) };
        }
      }
      const before = JSON.stringify(this.verdicts.get(file));
      this.verdicts.set(file, verdict);
      if (JSON.stringify(verdict) !== before) for (const l of this.listeners) l();
    })().finally(() => this.running.delete(file));
    this.running.set(file, run);
    return run;
  }
}
