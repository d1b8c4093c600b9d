/**
 * Log streaming for SpinApps, vscode-free: one import for the VS Code layer (logCommands.ts), the
 * tests and the benchmark. A {@link LogSession} follows every container of every pod of a
 * SpinApp (or one pod/container) and emits lines and notices in batches; a {@link LogRenderer}
 * turns them into terminal or plain text and keeps the scrollback.
 */
export * from "./logModel";
export * from "./logRenderer";
export * from "./logText";
export * from "./multiPodLogs";
export * from "./overlap";
export * from "./spinLines";
export * from "./transport";
export { ContainerFollower, type FollowerOptions, type FollowerEvents, type FollowerStats } from "./logFollower";
