/**
 * Documents backed by live cluster objects:
 *
 * - `spinkube-live:` read-only YAML of an object (`?clean` for the editable form diffs use),
 *   refreshed whenever the watch holding it reports a change; the watch is held while the
 *   document is open and released when it closes;
 * - `spinkube-describe:` a `kubectl describe`-like text with the object's events, refreshed the same way;
 * - `spinkube-edit:` a writable copy (a FileSystemProvider): saving applies it with server-side
 *   apply (field manager spinkube-vscode); conflicts are listed with a "Force Apply" choice, and
 *   a refused save keeps the editor dirty.
 *
 * URIs: `<scheme>:/<context>/<group or "core">/<version>/<plural>/<namespace or "_">/<name>.yaml`.
 */
import * as vscode from "vscode";
import { parse } from "yaml";
import type { Log } from "../host/log";
import type { KObject, ResourceType } from "./kubeApi";
import { KubeError, apiVersionOf } from "./kubeApi";
import type { ExplorerModel } from "./model";
import { conflictLines, describeText, editableYaml, liveYaml } from "./objectText";
import type { WatchSpec } from "./spinAppWatcher";
import { watchKey } from "./spinAppWatcher";

export const LIVE_SCHEME = "spinkube-live";
export const DESCRIBE_SCHEME = "spinkube-describe";
export const EDIT_SCHEME = "spinkube-edit";

/** The object a document stands for. */
export interface ObjectRef {
  context: string;
  resource: ResourceType;
  namespace?: string;
  name: string;
}

/** The URI of an object's document in `scheme` (`clean` = the editable form, for diffs). */
export function objectUri(scheme: string, ref: ObjectRef, clean = false): vscode.Uri {
  const t = ref.resource;
  const parts = [ref.context, t.group || "core", t.version, `${t.plural}.${t.kind}.${t.namespaced ? "n" : "c"}`, ref.namespace ?? "_", `${ref.name}.yaml`].map(encodeURIComponent);
  return vscode.Uri.from({ scheme, path: `/${parts.join("/")}`, query: clean ? "clean" : "" });
}

/** Parses a URI made by {@link objectUri}. */
export function refOf(uri: vscode.Uri): ObjectRef {
  const parts = uri.path.split("/").slice(1).map(decodeURIComponent);
  if (parts.length !== 6) throw new Error(`Not a SpinKube object URI: ${uri.toString()}`);
  const [context, group, version, res, ns, file] = parts;
  const [plural, kind, scope] = res.split(".");
  return {
    context,
    resource: { group: group === "core" ? "" : group, version, plural, kind, namespaced: scope === "n" },
    ...(ns !== "_" ? { namespace: ns } : {}),
    name: file.replace(/\.yaml$/, ""),
  };
}

function specOf(ref: ObjectRef): WatchSpec {
  return { resource: ref.resource, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}

/** The live and describe document providers and the edit file system. */
export class LiveDocuments implements vscode.TextDocumentContentProvider, vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly fileEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.fileEmitter.event;
  /** Open live/describe documents by watch (context + key). */
  private readonly open = new Map<string, vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly edits = new Map<string, { text: Uint8Array; mtime: number }>();

  constructor(
    private readonly model: ExplorerModel,
    private readonly log: Log,
  ) {
    const off = model.onDidFlush((changes) => {
      const touched = new Set(changes.map((c) => `${c.context}\u001e${c.key}`));
      for (const [uriText, uri] of this.open) {
        const ref = refOf(uri);
        if (touched.has(`${ref.context}\u001e${watchKey(specOf(ref))}`)) this.changeEmitter.fire(vscode.Uri.parse(uriText));
      }
    });
    this.disposables.push(
      { dispose: off },
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== LIVE_SCHEME && doc.uri.scheme !== DESCRIBE_SCHEME) return;
        const key = doc.uri.toString();
        if (!this.open.delete(key)) return;
        this.model.session(refOf(doc.uri).context)?.release(`live:${key}`);
      }),
    );
  }

  /** Registers the schemes. */
  register(): vscode.Disposable[] {
    return [
      vscode.workspace.registerTextDocumentContentProvider(LIVE_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(DESCRIBE_SCHEME, this),
      vscode.workspace.registerFileSystemProvider(EDIT_SCHEME, this, { isCaseSensitive: true }),
    ];
  }

  private async current(ref: ObjectRef): Promise<KObject> {
    const session = this.model.session(ref.context);
    const spec = specOf(ref);
    const cached = session?.synced(spec) ? session.object(spec, ref.namespace, ref.name) : undefined;
    if (cached) return { apiVersion: apiVersionOf(ref.resource), kind: ref.resource.kind, ...cached };
    const client = await this.model.client(ref.context);
    return client.get(ref.resource, ref.namespace, ref.name);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = refOf(uri);
    const key = uri.toString();
    if (!this.open.has(key)) {
      this.open.set(key, uri);
      await this.model.client(ref.context);
      this.model.session(ref.context)?.acquire(`live:${key}`, specOf(ref));
    }
    try {
      if (uri.scheme === DESCRIBE_SCHEME) {
        const client = await this.model.client(ref.context);
        const d = await client.describe(ref.resource, ref.namespace, ref.name);
        return describeText(d.object, d.events);
      }
      const o = await this.current(ref);
      return uri.query === "clean" ? editableYaml(o) : liveYaml(o);
    } catch (err) {
      if (err instanceof KubeError && err.kind === "notFound") return `# ${ref.resource.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} no longer exists.\n`;
      throw err;
    }
  }

  // ---- FileSystemProvider (edit-and-apply copies)

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const e = this.edits.get(uri.toString()) ?? (await this.load(uri));
    return { type: vscode.FileType.File, ctime: e.mtime, mtime: e.mtime, size: e.text.byteLength };
  }

  private async load(uri: vscode.Uri): Promise<{ text: Uint8Array; mtime: number }> {
    try {
      const o = await this.current(refOf(uri));
      const e = { text: Buffer.from(editableYaml(o)), mtime: Date.now() };
      this.edits.set(uri.toString(), e);
      return e;
    } catch (err) {
      if (err instanceof KubeError && err.kind === "notFound") throw vscode.FileSystemError.FileNotFound(uri);
      throw err;
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return (this.edits.get(uri.toString()) ?? (await this.load(uri))).text;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const ref = refOf(uri);
    let obj: KObject;
    try {
      obj = parse(Buffer.from(content).toString("utf8")) as KObject;
    } catch (err) {
      throw vscode.FileSystemError.NoPermissions(`Not applied: the YAML does not parse (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!obj || typeof obj !== "object" || obj.metadata?.name !== ref.name || (ref.namespace && obj.metadata.namespace && obj.metadata.namespace !== ref.namespace)) {
      throw vscode.FileSystemError.NoPermissions(`Not applied: this copy must keep metadata.name "${ref.name}"${ref.namespace ? ` and namespace "${ref.namespace}"` : ""}.`);
    }
    const client = await this.model.client(ref.context);
    try {
      await applyWithConflicts(client.apply.bind(client), obj, this.log);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw vscode.FileSystemError.NoPermissions(`Not applied: ${msg}`);
    }
    this.edits.set(uri.toString(), { text: content, mtime: Date.now() });
    this.fileEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    void vscode.window.showInformationMessage(`Applied ${ref.resource.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} (server-side apply).`);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions("read-only");
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions("Delete the object from the explorer instead.");
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions("read-only");
  }

  dispose(): void {
    for (const uri of this.open.values()) this.model.session(refOf(uri).context)?.release(`live:${uri.toString()}`);
    this.open.clear();
    this.disposables.forEach((d) => d.dispose());
    this.changeEmitter.dispose();
    this.fileEmitter.dispose();
  }
}

/**
 * Applies with server-side apply; on a conflict lists the conflicting fields and managers in a
 * modal and, if the user chooses "Force Apply", applies again taking ownership. Throws when not applied.
 */
export async function applyWithConflicts(apply: (o: KObject, opts?: { force?: boolean }) => Promise<KObject>, obj: KObject, log: Log): Promise<KObject> {
  try {
    return await apply(obj);
  } catch (err) {
    if (!(err instanceof KubeError) || err.kind !== "conflict") throw err;
    const lines = conflictLines(err.details, err.message);
    log.warn("Server-side apply conflicts for %s %s: %s", obj.kind, obj.metadata.name, lines.join("; "));
    const force = "Force Apply";
    const choice = await vscode.window.showWarningMessage(
      `Applying ${obj.kind} ${obj.metadata.name} conflicts with fields another manager owns.`,
      { modal: true, detail: `${lines.join("\n")}\n\n"Force Apply" makes spinkube-vscode their owner (kubectl apply --server-side --force-conflicts).` },
      force,
    );
    if (choice !== force) throw new Error(`conflicts not resolved: ${lines.join("; ")}`);
    return apply(obj, { force: true });
  }
}
