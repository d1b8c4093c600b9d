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
