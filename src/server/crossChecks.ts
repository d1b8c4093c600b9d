/**
 * Webhook rules that depend on other objects: the SpinApp's executor must exist in the app's
 * namespace, and an executor with createDeployment: false forbids pod/deployment annotations.
 * Checked against the workspace's SpinAppExecutors and, when the explorer is connected, the
 * cluster's. When neither can tell, the result is at most an information note, never an error.
 */
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { Codes, type ExecutorNotFoundData } from "./diagnosticCodes";
import type { ExecutorRef } from "./analysis";
import type { RawDiagnostic } from "./errorMapping";
import { DEFAULT_NAMESPACE, type ExecutorInfo, type Knowledge } from "./knowledge";
import { closest } from "./similarity";
import { WebhookMessages } from "./webhookMessages";

/** Diagnostics for one SpinApp's executor reference. */
export function checkExecutorRef(ref: ExecutorRef, knowledge: Knowledge): RawDiagnostic[] {
  const ns = ref.namespace ?? DEFAULT_NAMESPACE;
  const all = knowledge.executors();
  const inNs = all.filter((e) => e.namespace === ns);
  const match = inNs.find((e) => e.name === ref.name);
  if (match) return annotationRules(ref, match);

  const elsewhere = [...new Set(all.filter((e) => e.name === ref.name).map((e) => e.namespace))];
  const suggestions = closest(ref.name, [...new Set(inNs.map((e) => e.name))]);
  const data: ExecutorNotFoundData = { name: ref.name, namespace: ns, suggestions };
  const didYouMean = suggestions.length ? ` Did you mean "${suggestions[0]}"?` : "";
  const where = elsewhere.length ? ` It exists in namespace ${elsewhere.join(", ")}, but executors are namespaced: create one in ${ns} too.` : "";
  const clusterKnows = knowledge.clusterKnowsExecutors;
  if (clusterKnows) {
    return [
      {
        span: ref.span,
        severity: DiagnosticSeverity.Error,
        code: Codes.executorNotFound,
        message: `${WebhookMessages.executorNotInNamespace}: no SpinAppExecutor "${ref.name}" in namespace ${ns} of cluster context ${knowledge.clusterContext} or this workspace; the webhook rejects the app.${where}${didYouMean}`,
        data,
      },
    ];
  }
  // Without a cluster, speak only when the workspace manages executors in this namespace (a typo
  // is then likely); otherwise the executor is probably installed on the cluster.
  if (!inNs.length) return [];
  return [
    {
      span: ref.span,
      severity: DiagnosticSeverity.Information,
      code: Codes.executorNotFound,
      message: `No SpinAppExecutor "${ref.name}" in namespace ${ns} in this workspace (it defines ${inNs.map((e) => `"${e.name}"`).join(", ")}). The cluster must have it, or the webhook rejects the app with "${WebhookMessages.executorNotInNamespace}". Connect a cluster in the SpinKube view to check.${where}${didYouMean}`,
      data,
    },
  ];
}

function annotationRules(ref: ExecutorRef, executor: ExecutorInfo): RawDiagnostic[] {
  if (executor.createDeployment !== false) return [];
  const out: RawDiagnostic[] = [];
  for (const [field, span] of [
    ["deploymentAnnotations", ref.deploymentAnnotations],
    ["podAnnotations", ref.podAnnotations],
  ] as const) {
    if (span)
      out.push({
        span,
        severity: DiagnosticSeverity.Error,
        code: Codes.annotationsWithoutDeployment,
        message: `${field === "podAnnotations" ? WebhookMessages.podAnnotations : WebhookMessages.deploymentAnnotations} (executor "${executor.name}" has createDeployment: false). Remove spec.${field}.`,
      });
  }
  return out;
}
