/**
 * How long the extension takes to become ready: from the first statement of dist/extension.js
 * (an esbuild banner records `globalThis.spinkubeLoadStart`) and from the call of `activate()`, to
 * the end of `activate()`. Reported in the extension's API for the activation benchmark.
 */

export interface ActivationTiming {
  /** activate() alone, in milliseconds. */
  activateMs: number;
  /** Evaluating the bundle plus activate(), in milliseconds (activateMs when not bundled). */
  loadAndActivateMs: number;
}

/** Starts the clock at the top of activate(); call the result at its end. */
export function startActivationClock(): () => ActivationTiming {
  const start = performance.now();
  const loadStart = (globalThis as { spinkubeLoadStart?: number }).spinkubeLoadStart ?? start;
  return () => {
    const end = performance.now();
    return { activateMs: end - start, loadAndActivateMs: end - loadStart };
  };
}
