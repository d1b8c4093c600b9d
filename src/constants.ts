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

// ---- Cluster explorer (#5)

/** Command ids of the cluster explorer. */
export const ExplorerCommands = {
  refresh: "spinkube.refreshExplorer",
  switchContext: "spinkube.switchContext",
  useContext: "spinkube.useContext",
  chooseNamespaces: "spinkube.chooseNamespaces",
  filterApps: "spinkube.filterApps",
  clearFilter: "spinkube.clearFilter",
  showOnlyFailing: "spinkube.showOnlyFailing",
  showAllApps: "spinkube.showAllApps",
  openYaml: "spinkube.openYaml",
  editAndApply: "spinkube.editAndApply",
  diffWithLive: "spinkube.diffWithLive",
  applyFile: "spinkube.applyFile",
  scaleApp: "spinkube.scaleApp",
  restartApp: "spinkube.restartApp",
  deleteResource: "spinkube.deleteResource",
  portForward: "spinkube.portForward",
  stopPortForward: "spinkube.stopPortForward",
  openPortForward: "spinkube.openPortForward",
  copyImage: "spinkube.copyImage",
  describeResource: "spinkube.describeResource",
  selectKubeconfig: "spinkube.selectKubeconfig",
} as const;

/** View ids of the cluster explorer (in the `spinkube` view container). */
export const ExplorerViews = {
  clusters: "spinkube.clusters",
  portForwards: "spinkube.portForwards",
} as const;

/** Context keys of the cluster explorer. */
export const ExplorerContextKeys = {
  /** "loaded", "none" or "invalid": what the kubeconfig search found (drives the welcome view). */
  kubeconfig: "spinkube.kubeconfigState",
  filtered: "spinkube.explorer.filtered",
  onlyFailing: "spinkube.explorer.onlyFailing",
} as const;

// ---- Runtime diagnosis (#6)

/** Command ids of the runtime readiness check. */
export const DiagnosisCommands = {
  checkRuntimeReadiness: "spinkube.checkRuntimeReadiness",
} as const;

// ---- Log streaming (#7)

/** Command ids of log streaming. */
export const LogsCommands = {
  showAppLogs: "spinkube.showAppLogs",
  showContainerLogs: "spinkube.showContainerLogs",
  showLogsWithOptions: "spinkube.showLogsWithOptions",
  stopLogs: "spinkube.stopLogs",
  clearLogs: "spinkube.clearLogs",
  saveLogs: "spinkube.saveLogs",
  toggleLogTimestamps: "spinkube.toggleLogTimestamps",
} as const;

/** Context keys of log streaming. */
export const LogsContextKeys = {
  /** A log view is open (the stop/clear/save commands show in the palette). */
  active: "spinkube.logs.active",
} as const;

// ---- Build and deploy with the spin toolchain (#8)

/** Command ids of the spin toolchain. */
export const SpinCommands = {
  build: "spinkube.spinBuild",
  up: "spinkube.spinUp",
  stop: "spinkube.spinStop",
  push: "spinkube.spinPush",
  login: "spinkube.registryLogin",
  scaffold: "spinkube.spinScaffold",
  deploy: "spinkube.deploySpinApp",
  buildAndDeploy: "spinkube.buildAndDeploy",
  installKubePlugin: "spinkube.installKubePlugin",
  checkSpin: "spinkube.checkSpin",
  checkDeployedBuild: "spinkube.checkDeployedBuild",
  showOutput: "spinkube.showSpinOutput",
} as const;

/** The task type of spin tasks (build / up / push). */
export const SPIN_TASK_TYPE = "spin";
/**
 * The owner (DiagnosticCollection name) of the Problems of builds the extension runs itself. No
 * problem matcher in package.json may use it: a task run clears its matchers' owners' markers.
 */
export const SPIN_BUILD_DIAGNOSTICS = "spin";
