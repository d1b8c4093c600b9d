// The event recorder the simulated controllers share: core/v1 Events about an object with the
// fields kubectl and client-node read (involvedObject, reason, message, type, source,
// first/lastTimestamp, count, reportingComponent), aggregated like client-go's recorder does
// (the same object, reason and message bump `count` and `lastTimestamp` of one Event).

import type { Api } from "./api";
import type { KObject, ResourceType } from "./types";
import { apiVersionOf, rfc3339 } from "./types";
import { randomBytes } from "node:crypto";

/** Records events about objects. */
export class EventRecorder {
  private readonly index = new Map<string, string>();

  constructor(
    private readonly api: Api,
    private readonly eventType: () => ResourceType | undefined,
  ) {}

  /** Records (or bumps the count of) an event about `about`. */
  record(
    about: KObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    component: string,
    opts: { host?: string; fieldPath?: string } = {},
  ): void {
    const t = this.eventType();
    const ns = about.metadata.namespace ?? "default";
    if (!t || !this.api.store.get(this.nsType(), undefined, ns)) return;
    const now = Date.now();
    const key = `${about.metadata.uid}|${type}|${reason}|${message}`;
    const existing = this.index.get(key);
    const e = existing ? this.api.store.get(t, ns, existing) : undefined;
    if (e) {
      this.api.write(t, { ...e, count: ((e.count as number | undefined) ?? 1) + 1, lastTimestamp: rfc3339(now) }, component);
      return;
    }
    const aboutType = this.api.typeFor(about.apiVersion, about.kind);
    const name = `${about.metadata.name}.${randomBytes(8).toString("hex")}`.slice(0, 253);
    this.index.set(key, name);
    this.api.write(
      t,
      {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: ns },
        involvedObject: {
          kind: about.kind,
          namespace: about.metadata.namespace,
          name: about.metadata.name,
          uid: about.metadata.uid,
          apiVersion: aboutType ? apiVersionOf(aboutType) : about.apiVersion,
          resourceVersion: about.metadata.resourceVersion,
          ...(opts.fieldPath ? { fieldPath: opts.fieldPath } : {}),
        },
        reason,
        message,
        source: { component, ...(opts.host ? { host: opts.host } : {}) },
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: opts.host ?? "",
      },
      component,
    );
  }

  private nsType(): ResourceType {
    const t = this.api.find("", "v1", "namespaces");
    if (!t) throw new Error("namespaces not registered");
    return t;
  }
}
