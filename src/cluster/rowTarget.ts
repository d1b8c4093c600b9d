/**
 * Which Clusters-tree row a command acts on, decided the same way for every command a tree menu
 * offers: the row the menu was opened on; with no argument (Command Palette, keybinding), the
 * selected row of a kind the command takes; otherwise none, and the command falls back to its own
 * way (a SpinApp picker, the open manifest).
 *
 * A tree menu hands its command `{ $treeViewId, $treeItemHandle }`, which VS Code turns back into
 * the node (extHostTreeViews.ts `_convertArgument`). When it cannot — the row's parent was being
 * repainted at that moment — the command gets `undefined` in that place instead of no argument.
 * The row is then unknown: the command says so instead of acting on the selection or a pick (the
 * selection may be another row: a right-click does not select). The explorer repaints as little as
 * it can so that this stays rare (./shownTree.ts).
 */
import * as vscode from "vscode";
import type { Log } from "../host/log";
import type { NodeKind, TreeNode } from "./nodes";

/** A command's row: the node, lost (a menu's row VS Code could not resolve), or none given. */
export type RowArgument = { node: TreeNode } | { lost: true } | { none: true };

/** True for an explorer tree node. */
export function isTreeNode(x: unknown): x is TreeNode {
  return typeof x === "object" && x != null && typeof (x as TreeNode).kind === "string" && typeof (x as TreeNode).id === "string";
}

/** Resolves the row of tree commands against the Clusters view. */
export class RowTargets {
  constructor(
    private readonly treeView: vscode.TreeView<TreeNode>,
    private readonly log: Log,
  ) {}

  /** The row in a command's arguments: the node given, lost, or none (no argument, or one that is not a row). */
  given(args: readonly unknown[]): RowArgument {
    const [arg] = args;
    if (isTreeNode(arg)) return { node: arg };
    if (args.length > 0 && arg === undefined) return { lost: true };
    return { none: true };
  }

  /** The selected row of one of `kinds`, if any. */
  selected(kinds: readonly NodeKind[]): TreeNode | undefined {
    return this.treeView.selection.find((n) => kinds.includes(n.kind));
  }

  /** The row given, else (no argument at all) the selected row of one of `kinds`. */
  of(args: readonly unknown[], kinds: readonly NodeKind[]): RowArgument {
    const r = this.given(args);
    if (!("none" in r) || args.length > 0) return r;
    const sel = this.selected(kinds);
    return sel ? { node: sel } : r;
  }

  /** Tells the user (and the log) that a menu's row was lost. */
  reportLost(command: string): void {
    this.log.info("%s: the tree menu's item could not be resolved (the Clusters view was repainting it)", command);
    void vscode.window.showWarningMessage("SpinKube: the Clusters view was updating as the command started, so it did not get the item it was chosen on. Choose it again from the item's menu.");
  }
}
