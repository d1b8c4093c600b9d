/**
 * The settings the language server needs, as the client sends them over `workspace/configuration`
 * (section `spinkube`). vscode-free: both bundles import it.
 */

export interface ServerSettings {
  validation: {
    /** Validate SpinApp / SpinAppExecutor documents at all. */
    enable: boolean;
    /**
     * Report YAML syntax errors in SpinKube documents. The client turns this off when Red Hat YAML is
     * active, because that extension already reports syntax errors for every YAML file.
     */
    syntaxErrors: boolean;
  };
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  validation: { enable: true, syntaxErrors: true },
};

/** Fills in what a partial or malformed settings object leaves out. */
export function normalizeSettings(raw: unknown): ServerSettings {
  const r = (raw ?? {}) as { validation?: { enable?: unknown; syntaxErrors?: unknown } };
  return {
    validation: {
      enable: typeof r.validation?.enable === "boolean" ? r.validation.enable : true,
      syntaxErrors: typeof r.validation?.syntaxErrors === "boolean" ? r.validation.syntaxErrors : true,
    },
  };
}
