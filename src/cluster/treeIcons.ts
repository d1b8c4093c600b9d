/**
 * The explorer's own icons: `media/icons/light/<name>.svg` (dark strokes, for light themes) and
 * `media/icons/dark/<name>.svg` (light strokes, for dark themes), 16×16. View-models name one of
 * these (NodeView.svg); the tree turns the name into the pair of file URIs under the extension's
 * folder (explorer.ts). Nodes without an icon of their own keep a codicon.
 *
 * The unit tests check that every name has both files, that every file has a name, and that each
 * name is what some node state shows. vscode-free.
 */

export const TREE_ICONS = [
  "context",
  "context-connected",
  "context-reconnecting",
  "context-disconnected",
  "context-unauthorized",
  "context-error",
  "namespace",
  "namespace-failing",
  "spinapp-ready",
  "spinapp-progressing",
  "spinapp-failing",
  "spinapp-unknown",
  "pod-running",
  "pod-pending",
  "pod-failed",
  "executor",
  "runtimeclass",
] as const;

/** The name of one of the explorer's SVG icons. */
export type TreeIcon = (typeof TREE_ICONS)[number];

/** Where the icons are, relative to the extension's root: `<dir>/<theme>/<name>.svg`. */
export const TREE_ICON_DIR = ["media", "icons"] as const;
export const TREE_ICON_THEMES = ["light", "dark"] as const;

/** The file name of an icon (the same in each theme's folder). */
export function treeIconFile(name: TreeIcon): string {
  return `${name}.svg`;
}
