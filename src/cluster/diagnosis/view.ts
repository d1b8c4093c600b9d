/**
 * Presentation of the diagnosis without VS Code: tree-node view models (label, description, codicon
 * id and theme color id, markdown tooltip, contextValue) for the explorer's readiness node under a
 * SpinApp, the failure nodes below it and the context node's health summary, plus the markdown
 * reports the command and the deploy failure report show. A {@link NodeViewModel} has the shape of
 * the explorer's `NodeView` (src/cluster/nodes.ts): the tree turns it into a TreeItem with
 * `new ThemeIcon(icon, iconColor ? new ThemeColor(iconColor) : undefined)`; its tooltip is markdown
 * (`new MarkdownString(tooltip)`).
 */
import type { HealthReport } from "./health";
import type { ChainLink, LinkStatus, ReadinessReport } from "./readiness";
import type { SandboxDiagnosis } from "./sandbox";

/** A tree node's presentation, vscode-free (the shape of the explorer's NodeView). */
export interface NodeViewModel {
  label: string;
  description?: string;
  /** Markdown. */
  tooltip: string;
  /** For `view/item/context` menus: `spinkube.readiness.<status>`, `spinkube.failure`, `spinkube.health.<status>`. */
  contextValue: string;
  /** A codicon id. */
  icon: string;
  /** A theme color id for the icon. */
  iconColor?: string;
  /** The readiness node has the explained failures as children. */
  collapsible: "none" | "collapsed" | "expanded";
}

const ICONS: Record<LinkStatus, { id: string; color?: string }> = {
  ok: { id: "pass", color: "testing.iconPassed" },
  broken: { id: "error", color: "problemsErrorIcon.foreground" },
  warning: { id: "warning", color: "problemsWarningIcon.foreground" },
  unknown: { id: "question" },
  skipped: { id: "circle-slash" },
};

const MARKS: Record<LinkStatus, string> = { ok: "✅", broken: "❌", warning: "⚠️", unknown: "❔", skipped: "➖" };

/** The codicon id and theme color id for a status. */
export function statusIcon(status: LinkStatus): { icon: string; iconColor?: string } {
  const i = ICONS[status];
  return { icon: i.id, ...(i.color ? { iconColor: i.color } : {}) };
}

function reportStatus(r: ReadinessReport): LinkStatus {
  if (r.firstBroken) return "broken";
  if (r.ready) return "ok";
  return r.links.some((l) => l.status === "warning") ? "warning" : "unknown";
}

/** Escapes text for markdown (tooltips and reports). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
}

function linkLine(l: ChainLink): string {
  return `${MARKS[l.status]} **${escapeMarkdown(l.title)}** — ${escapeMarkdown(l.detail)}${l.fix && l.status !== "ok" ? `\n   *Fix:* ${escapeMarkdown(l.fix)}` : ""}`;
}

/** The readiness node shown under a SpinApp in the explorer. */
export function readinessNodeView(r: ReadinessReport): NodeViewModel {
  const status = reportStatus(r);
  const description = r.firstBroken ? `${r.firstBroken.title}: ${r.firstBroken.detail.split(/(?<=\.)\s/)[0]}` : r.ready ? "runtime chain holds" : "not confirmed";
  return {
    label: "Runtime readiness",
    description,
    tooltip: [`**Runtime readiness of ${escapeMarkdown(`${r.app.namespace}/${r.app.name}`)}**`, "", ...r.links.map((l) => `- ${linkLine(l)}`)].join("\n"),
    ...statusIcon(status),
    contextValue: `spinkube.readiness.${status}`,
    collapsible: r.failures.length ? "collapsed" : "none",
  };
}

/** A node per explained failure (children of the readiness node, or of the SpinApp). */
export function failureNodeView(d: SandboxDiagnosis): NodeViewModel {
  return {
    label: d.title,
    description: d.node ? `node ${d.node}` : undefined,
    tooltip: failureMarkdown(d),
    ...statusIcon("broken"),
    contextValue: "spinkube.failure",
    collapsible: "none",
  };
}

/** The context (cluster) node's health: description = the one-line summary, tooltip = every check. */
export function healthNodeView(h: HealthReport, contextName: string): NodeViewModel {
  return {
    label: contextName,
    description: h.summary,
    tooltip: [`**SpinKube on ${escapeMarkdown(contextName)}**`, "", ...h.checks.map((c) => `- ${MARKS[c.status]} **${escapeMarkdown(c.title)}** — ${escapeMarkdown(c.detail)}${c.fix && c.status !== "ok" ? `\n   *Fix:* ${escapeMarkdown(c.fix)}` : ""}`)].join("\n"),
    ...statusIcon(h.status),
    contextValue: `spinkube.health.${h.status}`,
    collapsible: "collapsed",
  };
}

/** One failure as markdown: title, the Kubernetes message, likely causes, fixes. */
export function failureMarkdown(d: SandboxDiagnosis): string {
  return [
    `**${escapeMarkdown(d.title)}**`,
    "",
    `Seen on ${escapeMarkdown(d.objects.join(", "))}${d.node ? ` (node ${escapeMarkdown(d.node)})` : ""}:`,
    "",
    "```",
    d.evidence,
    "```",
    "",
    "Likely causes:",
    ...d.causes.map((c, i) => `${i + 1}. ${escapeMarkdown(c)}`),
    "",
    "Fix:",
    ...d.fixes.map((f) => `- ${escapeMarkdown(f)}`),
  ].join("\n");
}

/** The full readiness report as a markdown document (command output, deploy failure report). */
export function readinessMarkdown(r: ReadinessReport, contextName?: string): string {
  const status = reportStatus(r);
  const head = `# Runtime readiness: ${escapeMarkdown(`${r.app.namespace}/${r.app.name}`)}`;
  const where = `${r.mode === "manifest" ? "Checked before deploying" : "Checked the deployed SpinApp"}${contextName ? ` against cluster context \`${contextName}\`` : ""}.`;
  const verdict = `${MARKS[status]} ${escapeMarkdown(r.summary)}`;
  const chain = ["## Chain", "", ...r.links.map((l, i) => `${i + 1}. ${linkLine(l)}`)];
  const failures = r.failures.length ? ["", "## Pod failures explained", "", ...r.failures.map(failureMarkdown).flatMap((m) => [m, ""])] : [];
  return [head, "", where, "", verdict, "", ...chain, ...failures].join("\n").trimEnd() + "\n";
}

/** The health report as markdown. */
export function healthMarkdown(h: HealthReport, contextName?: string): string {
  return (
    [
      `# SpinKube health${contextName ? ` of \`${contextName}\`` : ""}`,
      "",
      escapeMarkdown(h.summary),
      "",
      ...h.checks.map((c) => `- ${MARKS[c.status]} **${escapeMarkdown(c.title)}** — ${escapeMarkdown(c.detail)}${c.fix && c.status !== "ok" ? `\n  *Fix:* ${escapeMarkdown(c.fix)}` : ""}`),
    ].join("\n") + "\n"
  );
}
