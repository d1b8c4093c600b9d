/**
 * The runtime diagnosis, one import for its users (the readiness command, the explorer tree, the
 * deploy failure report): gather from a {@link ClusterReader}, check, present. vscode-free.
 */
import { checkHealth, type HealthReport } from "./health";
import type { KubeObject } from "./objects";
import { gatherHealth, gatherReadiness, type ClusterReader } from "./reader";
import { checkReadiness, type ReadinessReport } from "./readiness";
import { failureMarkdown } from "./view";

export * from "./health";
export * from "./kubeClientReader";
export * from "./objects";
export * from "./reader";
export * from "./readiness";
export * from "./sandbox";
export * from "./view";

/**
 * Runs the readiness chain for a SpinApp. Pass the manifest's other documents (executors,
 * RuntimeClasses) in `manifestObjects` when checking before deploying; whether the app is already
 * deployed is asked from the cluster unless `deployed` is given.
 */
export async function checkAppReadiness(reader: ClusterReader, app: KubeObject, opts: { manifestObjects?: KubeObject[]; deployed?: boolean } = {}): Promise<ReadinessReport> {
  return checkReadiness(await gatherReadiness(reader, app, opts));
}

/** Runs the cluster health checks. */
export async function checkClusterHealth(reader: ClusterReader): Promise<HealthReport> {
  return checkHealth(await gatherHealth(reader));
}

/**
 * For the deploy failure report: why a deployed SpinApp's pods are not running. `markdown` is empty
 * when nothing is recognised; `report` has the whole chain.
 */
export async function explainDeployFailure(reader: ClusterReader, app: KubeObject): Promise<{ report: ReadinessReport; markdown: string }> {
  const report = await checkAppReadiness(reader, app, { deployed: true });
  const parts = report.failures.map(failureMarkdown);
  if (!parts.length && report.firstBroken) parts.push(`**${report.firstBroken.title}:** ${report.firstBroken.detail}${report.firstBroken.fix ? `\n\n*Fix:* ${report.firstBroken.fix}` : ""}`);
  return { report, markdown: parts.join("\n\n") };
}
