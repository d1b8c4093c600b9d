/**
 * Typed reads of the `spinkube.*` settings, and which subsystem a configuration change affects.
 */
import * as vscode from "vscode";
import { CONFIG_SECTION, REDHAT_YAML_ID } from "../constants";
import type { ServerSettings } from "../shared/settings";

export type SyntaxErrorsMode = "auto" | "always" | "never";

/** Settings as the language server sees them (answered through workspace/configuration). */
export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
  const mode = c.get<SyntaxErrorsMode>("validation.syntaxErrors", "auto");
  return {
    validation: {
      enable: c.get<boolean>("validation.enable", true),
      syntaxErrors: mode === "always" || (mode === "auto" && !redHatYamlActive()),
    },
  };
}

/** True when Red Hat's YAML extension is installed (it reports YAML syntax errors itself). */
export function redHatYamlActive(): boolean {
  return vscode.extensions.getExtension(REDHAT_YAML_ID) !== undefined;
}

/** The `spinkube.kubeconfig` setting: kubeconfig path(s) overriding KUBECONFIG and ~/.kube/config ("" = unset). */
export function kubeconfigSetting(): string {
  return vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>("kubeconfig", "").trim();
}

/** Which subsystems a configuration change needs to refresh. */
export function affects(e: vscode.ConfigurationChangeEvent): { languageServer: boolean; explorer: boolean } {
  return {
    languageServer: e.affectsConfiguration(`${CONFIG_SECTION}.validation`),
    explorer: e.affectsConfiguration(`${CONFIG_SECTION}.kubeconfig`),
  };
}
