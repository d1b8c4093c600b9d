/** Identifiers of the extension in one place: command ids, view ids, context keys, setting section. */

export const EXTENSION_ID = "spinkube-vscode.spinkube";
export const CONFIG_SECTION = "spinkube";
export const OUTPUT_CHANNEL = "SpinKube";
export const REDHAT_YAML_ID = "redhat.vscode-yaml";

export const Commands = {
  restartServer: "spinkube.restartServer",
  showLogs: "spinkube.showLogs",
} as const;

export const ContextKeys = {
  serverRunning: "spinkube.serverRunning",
} as const;
