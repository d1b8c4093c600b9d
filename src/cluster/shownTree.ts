/**
 * What the tree was last shown: the children listed under each expanded node and the view of each
 * listed node. The explorer model compares the cluster's state with it after each burst of watch
 * events and repaints only the nodes whose own view changed, and re-lists a node only when its
 * set of children changed (an object added or deleted).
 *
 * Why this matters: VS Code repaints a node by re-listing its children, and until its extension
 * host has them again it cannot turn a child's handle back into the element: a tree-menu command
 * on such a row gets `undefined` instead of its node, and `TreeView.selection` drops it
 * (extHostTreeViews.ts: `_refreshNode` → `_clearChildren`, then `getExtensionElement`). Repainting
 * a namespace because one of its pods restarted made every SpinApp row in it briefly unresolvable.
 *
 * Ids are hierarchical (a child's id starts with its parent's id and U+001F). vscode-free.
 */
import { createHash } from "node:crypto";
import { nodeId } from "./nodes";

/** A short digest of a view (the tree may show tens of thousands of rows: keep a digest, not the text). */
function digest(view: unknown): string {
  return createHash("sha1").update(JSON.stringify(view) ?? "").digest("base64");
}

/** The ids and views the tree was given. */
export class ShownTree {
  private readonly listings = new Map<string, string[]>();
  private readonly views = new Map<string, string>();

  /**
   * The tree listed `ids` under `parentId` ("" = the roots). Returns the ids listed there before
   * that are gone now (with everything under them forgotten).
   */
  listed(parentId: string, ids: string[]): string[] {
    const before = this.listings.get(parentId);
    this.listings.set(parentId, ids);
    if (!before) return [];
    const now = new Set(ids);
    const gone: string[] = [];
    for (const id of before) if (!now.has(id)) gone.push(...this.forget(id));
    return gone;
  }

  /** The tree was given this view of a node. */
  viewed(id: string, view: unknown): void {
    this.views.set(id, digest(view));
  }

  /** True when `view` differs from the view the tree was last given of the node (or it was given none). */
  differs(id: string, view: unknown): boolean {
    return this.views.get(id) !== digest(view);
  }

  /** True when `ids` are not exactly (in order) the children the tree last listed under `parentId`. */
  listingDiffers(parentId: string, ids: string[]): boolean {
    const before = this.listings.get(parentId);
    return !before || before.length !== ids.length || before.some((id, i) => id !== ids[i]);
  }

  /** Every listing (parent id and child ids), parents before their descendants. */
  allListings(): [parentId: string, ids: string[]][] {
    return [...this.listings].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Forgets a node and everything listed under it; returns their ids. */
  forget(id: string): string[] {
    const out = [id];
    this.views.delete(id);
    const l = this.listings.get(id);
    this.listings.delete(id);
    if (l) for (const c of l) out.push(...this.forget(c));
    return out;
  }

  /** Forgets every node under `id` (not the node itself); returns their ids. */
  forgetUnder(id: string): string[] {
    const l = this.listings.get(id);
    this.listings.delete(id);
    return l ? l.flatMap((c) => this.forget(c)) : [];
  }
}

/** True when `id` is `ancestor` or lies under it. */
export function isAtOrUnder(id: string, ancestor: string): boolean {
  return id === ancestor || id.startsWith(nodeId(ancestor, ""));
}
