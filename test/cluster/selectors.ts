// Label and field selector parsing and matching, with the grammar of k8s.io/apimachinery
// (labels: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`;
// fields: `k=v`, `k==v`, `k!=v` with `\` escapes), and the API server's error texts.

import { ApiError } from "./types";

/** One parsed requirement. */
export interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  values: string[];
}

/** A parsed selector. `get` returns the label/field value or undefined when absent. */
export interface Selector {
  requirements: Requirement[];
  matches(get: (key: string) => string | undefined): boolean;
}

function makeSelector(requirements: Requirement[]): Selector {
  return {
    requirements,
    matches(get) {
      for (const r of requirements) {
        const v = get(r.key);
        switch (r.op) {
          case "=":
            if (v !== r.values[0]) return false;
            break;
          case "!=":
            if (v === r.values[0]) return false;
            break;
          case "in":
            if (v === undefined || !r.values.includes(v)) return false;
            break;
          case "notin":
            if (v !== undefined && r.values.includes(v)) return false;
            break;
          case "exists":
            if (v === undefined) return false;
            break;
          case "!":
            if (v !== undefined) return false;
            break;
          case "gt":
          case "lt": {
            if (v === undefined || !/^-?\d+$/.test(v)) return false;
            const n = Number(v);
            const m = Number(r.values[0]);
            if (r.op === "gt" ? !(n > m) : !(n < m)) return false;
            break;
          }
        }
      }
      return true;
    },
  };
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p);
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Parses a label selector; throws a 400 ApiError on bad syntax. */
export function parseLabelSelector(text: string): Selector {
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    let m: RegExpExecArray | null;
    let r: Requirement;
    if ((m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part))) {
      const values = m[3].split(",").map((v) => v.trim());
      r = { key: m[1], op: m[2] as "in" | "notin", values };
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part))) {
      r = { key: m[1], op: m[2] === "!=" ? "!=" : "=", values: [m[3].trim()] };
    } else if ((m = /^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/.exec(part))) {
      r = { key: m[1], op: m[2] === ">" ? "gt" : "lt", values: [m[3]] };
    } else if ((m = /^!\s*([^=!<>\s]+)$/.exec(part))) {
      r = { key: m[1], op: "!", values: [] };
    } else if (/^[^=!<>\s(),]+$/.test(part)) {
      r = { key: part, op: "exists", values: [] };
    } else {
      throw new ApiError(400, "BadRequest", `unable to parse requirement: found '${part}', expected: identifier`);
    }
    if (!LABEL_KEY.test(r.key)) {
      throw new ApiError(
        400,
        "BadRequest",
        `unable to parse requirement: <nil>: Invalid value: "${r.key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      );
    }
    reqs.push(r);
  }
  return makeSelector(reqs);
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

/** Parses a field selector; throws a 400 ApiError on bad syntax. */
export function parseFieldSelector(text: string): Selector {
  const reqs: Requirement[] = [];
  // Split on unescaped commas.
  const parts = text.split(/(?<!\\),/).map((p) => p.trim()).filter((p) => p);
  for (const part of parts) {
    const m = /^((?:[^=!\\]|\\.)+?)\s*(==|=|!=)\s*((?:[^\\]|\\.)*)$/.exec(part);
    if (!m) throw new ApiError(400, "BadRequest", `invalid selector: '${text}'; can't understand '${part}'`);
    reqs.push({ key: m[1], op: m[2] === "!=" ? "!=" : "=", values: [unescapeField(m[3])] });
  }
  return makeSelector(reqs);
}
