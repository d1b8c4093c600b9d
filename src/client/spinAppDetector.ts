/**
 * A cheap text sniff: does this YAML mention something the SpinKube language server cares about?
 * Used to start the server lazily (on the first such document), never to validate.
 */

const INTERESTING = /core\.spin(?:kube|operator)\.dev|runtimeClassName|\bkind:\s*RuntimeClass\b/;

/** True when the text may contain a SpinApp, SpinAppExecutor, legacy-group object or Wasm hint target. */
export function mentionsSpinKube(text: string): boolean {
  return INTERESTING.test(text);
}
