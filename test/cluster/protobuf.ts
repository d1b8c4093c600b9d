// Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`): the
// `k8s\0` envelope (runtime.Unknown with TypeMeta and the raw message) and the generated messages
// of the kinds kubectl's typed `create` subcommands send (Namespace, Secret, ConfigMap,
// ServiceAccount), with ObjectMeta. Field numbers are those of k8s.io/api generated.proto.
// Other kinds answer 415 as before (responses are always JSON, which kubectl accepts).

import { ApiError } from "./types";

type Kind = "string" | "bytes" | "int" | "bool" | { msg: Fields } | { map: "string" | "bytes" };
interface Field {
  name: string;
  kind: Kind;
  repeated?: boolean;
}
type Fields = Record<number, Field>;

const TIME: Fields = { 1: { name: "seconds", kind: "int" }, 2: { name: "nanos", kind: "int" } };
const OWNER_REF: Fields = {
  1: { name: "kind", kind: "string" },
  3: { name: "name", kind: "string" },
  4: { name: "uid", kind: "string" },
  5: { name: "apiVersion", kind: "string" },
  6: { name: "controller", kind: "bool" },
  7: { name: "blockOwnerDeletion", kind: "bool" },
};
const OBJECT_META: Fields = {
  1: { name: "name", kind: "string" },
  2: { name: "generateName", kind: "string" },
  3: { name: "namespace", kind: "string" },
  5: { name: "uid", kind: "string" },
  6: { name: "resourceVersion", kind: "string" },
  7: { name: "generation", kind: "int" },
  8: { name: "creationTimestamp", kind: { msg: TIME } },
  11: { name: "labels", kind: { map: "string" } },
  12: { name: "annotations", kind: { map: "string" } },
  13: { name: "ownerReferences", kind: { msg: OWNER_REF }, repeated: true },
  14: { name: "finalizers", kind: "string", repeated: true },
};
const LOCAL_REF: Fields = { 1: { name: "name", kind: "string" } };
const OBJECT_REF: Fields = { 1: { name: "kind", kind: "string" }, 2: { name: "namespace", kind: "string" }, 3: { name: "name", kind: "string" } };

const KINDS: Record<string, Fields> = {
  Namespace: { 1: { name: "metadata", kind: { msg: OBJECT_META } }, 2: { name: "spec", kind: { msg: { 1: { name: "finalizers", kind: "string", repeated: true } } } } },
  Secret: {
    1: { name: "metadata", kind: { msg: OBJECT_META } },
    2: { name: "data", kind: { map: "bytes" } },
    3: { name: "type", kind: "string" },
    4: { name: "stringData", kind: { map: "string" } },
    5: { name: "immutable", kind: "bool" },
  },
  ConfigMap: {
    1: { name: "metadata", kind: { msg: OBJECT_META } },
    2: { name: "data", kind: { map: "string" } },
    3: { name: "binaryData", kind: { map: "bytes" } },
    4: { name: "immutable", kind: "bool" },
  },
  ServiceAccount: {
    1: { name: "metadata", kind: { msg: OBJECT_META } },
    2: { name: "secrets", kind: { msg: OBJECT_REF }, repeated: true },
    3: { name: "imagePullSecrets", kind: { msg: LOCAL_REF }, repeated: true },
    4: { name: "automountServiceAccountToken", kind: "bool" },
  },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mult = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error("truncated varint");
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mult;
      if (b < 0x80) return result;
      mult *= 128;
    }
  }
  bytes(): Buffer {
    const n = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decode(buf: Buffer, fields: Fields): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    const f = fields[no];
    if (!f) {
      r.skip(wire);
      continue;
    }
    let v: unknown;
    if (f.kind === "int") v = r.varint();
    else if (f.kind === "bool") v = r.varint() !== 0;
    else if (f.kind === "string") v = r.bytes().toString("utf8");
    else if (f.kind === "bytes") v = r.bytes().toString("base64");
    else if ("msg" in f.kind) v = decode(r.bytes(), f.kind.msg);
    else {
      const entry = decode(r.bytes(), { 1: { name: "k", kind: "string" }, 2: { name: "v", kind: f.kind.map } });
      const m = (out[f.name] as Record<string, unknown> | undefined) ?? {};
      m[String(entry.k ?? "")] = entry.v ?? "";
      out[f.name] = m;
      continue;
    }
    if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), v];
    else out[f.name] = v;
  }
  return out;
}

/** Decodes a protobuf request body into a JSON object; 415 for kinds this server cannot decode. */
export function decodeProtobufObject(body: Buffer, expectedKind: string): Record<string, unknown> {
  const unsupported = (): ApiError =>
    new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
  if (body.length < 4 || body.subarray(0, 4).toString("latin1") !== "k8s\u0000") throw unsupported();
  const unknown = decode(body.subarray(4), { 1: { name: "typeMeta", kind: { msg: { 1: { name: "apiVersion", kind: "string" }, 2: { name: "kind", kind: "string" } } } }, 2: { name: "raw", kind: "bytes" } });
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const kind = tm.kind || expectedKind;
  const fields = KINDS[kind];
  if (!fields) throw unsupported();
  const obj = decode(Buffer.from(String(unknown.raw ?? ""), "base64"), fields);
  const md = (obj.metadata ?? {}) as Record<string, unknown>;
  delete md.creationTimestamp;
  obj.metadata = md;
  return { apiVersion: tm.apiVersion || "v1", kind, ...obj };
}
