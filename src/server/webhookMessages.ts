/**
 * The Spin Operator's admission-webhook messages, verbatim (internal/webhook/spinapp_validating.go
 * and spinappexecutor_validating.go; FACTS.md section (a)). Diagnostics quote them and hover lists
 * them, from this one place.
 */
export const WebhookMessages = {
  executorUnset: "executor must be set, likely no default executor was set because you have no executors installed",
  executorNotInNamespace: "executor does not exist in namespace",
  replicasWithAutoscaling: "replicas cannot be set when autoscaling is enabled",
  replicasMin: "replicas must be > 0",
  deploymentAnnotations: "deploymentAnnotations can't be set when the executor does not use operator deployments",
  podAnnotations: "podAnnotations can't be set when the executor does not use operator deployments",
  invocationMemoryInvalid: "memory limit must be a valid memory quantity (e.g. 128Mi, 1Gi)",
  /** `<q>` stands for the quantity the webhook quotes. */
  invocationAboveLimit: "invocation limit quantity cannot be greater than the memory limit (<q>)",
  invocationAboveRequest: "invocation limit quantity cannot be greater than the memory request (<q>)",
  runtimeExclusive: "runtimeClassName and spinImage are mutually exclusive",
  runtimeMissing: "either runtimeClassName or spinImage must be set",
} as const;

/** A message with its `<q>` filled in. */
export function withQuantity(message: string, q: string): string {
  return message.replace("<q>", q);
}
