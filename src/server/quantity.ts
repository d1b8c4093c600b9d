/**
 * Kubernetes resource quantities (`128Mi`, `1.5Gi`, `500m`, `1e3`): the API server's grammar, a
 * numeric value for comparisons, and the likely intended spelling of a wrong one (`32MB` → `32Mi`).
 */

/** The CRD's quantity pattern, verbatim. */
export const QUANTITY_PATTERN =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** True for a string or integer Kubernetes accepts as a quantity. */
export function isQuantity(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  return typeof v === "string" && QUANTITY_PATTERN.test(v);
}

/** The quantity's value in base units (bytes for memory), or undefined when it does not parse. */
export function quantityValue(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || !QUANTITY_PATTERN.test(v)) return undefined;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(v)!;
  const num = Number(m[1]);
  const suffix = m[2];
  if (suffix in BINARY) return num * BINARY[suffix];
  if (suffix in DECIMAL) return num * DECIMAL[suffix];
  if (/^[eE]/.test(suffix)) return num * 10 ** Number(suffix.slice(1));
  return undefined;
}

/**
 * What the user most likely meant by a string that is not a quantity: `32MB`/`32mb` → `32Mi`,
 * `1 Gi` → `1Gi`, `1.5GiB` → `1.5Gi`, `512KB` → `512Ki`. Undefined when no safe guess exists.
 */
export function suggestQuantity(v: string): string | undefined {
  const s = v.trim();
  const compact = s.replace(/\s+/g, "");
  if (compact !== s && QUANTITY_PATTERN.test(compact)) return compact;
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtTpPeE])(i?)[bB]?$/.exec(compact);
  if (!m) return undefined;
  const unit = m[2].toUpperCase() + "i";
  const out = `${m[1]}${unit}`;
  return out !== s && QUANTITY_PATTERN.test(out) ? out : undefined;
}
