// Authentication and authorization of the test API server: a generated CA and a server
// certificate for 127.0.0.1/localhost (RSA keys from node:crypto, X.509 built with node-forge),
// bearer tokens mapped to users, RBAC-like allow rules per user, the 401/403 Status errors a
// real API server answers, and SelfSubjectAccessReview evaluation.

import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";
import { ApiError } from "./types";

/** PEM material for TLS. */
export interface TlsMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

let cached: TlsMaterial | undefined;

function rsaKeys(): { pub: forge.pki.rsa.PublicKey; priv: forge.pki.rsa.PrivateKey; privPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    pub: forge.pki.publicKeyFromPem(publicKey),
    priv: forge.pki.privateKeyFromPem(privateKey),
    privPem: privateKey,
  };
}

function serial(): string {
  // Positive, 16 bytes (the high bit cleared).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString("hex");
}

/**
 * A CA and a server certificate for 127.0.0.1 and localhost. Generated once per process and
 * reused (every server in a test process shares the same CA).
 */
export function tlsMaterial(): TlsMaterial {
  if (cached) return cached;
  const now = new Date(Date.now() - 60 * 60 * 1000);
  const until = new Date(Date.now() + 10 * 365 * 24 * 60 * 60 * 1000);

  const caName = [{ name: "commonName", value: "spinkube-test-cluster-ca" }];
  const certificate = (pub: forge.pki.rsa.PublicKey, subject: forge.pki.CertificateField[], extensions: unknown[], signer: forge.pki.rsa.PrivateKey): forge.pki.Certificate => {
    const c = forge.pki.createCertificate();
    c.publicKey = pub;
    c.serialNumber = serial();
    c.validity.notBefore = now;
    c.validity.notAfter = until;
    c.setSubject(subject);
    c.setIssuer(caName);
    c.setExtensions(extensions as never[]);
    c.sign(signer, forge.md.sha256.create());
    return c;
  };
  const ca = rsaKeys();
  const caCert = certificate(
    ca.pub,
    caName,
    [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ],
    ca.priv,
  );
  const srv = rsaKeys();
  const cert = certificate(
    srv.pub,
    [{ name: "commonName", value: "kube-apiserver" }],
    [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
          { type: 2, value: "kubernetes.default.svc" },
        ],
      },
      { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ],
    ca.priv,
  );

  cached = {
    caCert: forge.pki.certificateToPem(caCert).replace(/\r\n/g, "\n"),
    caKey: ca.privPem,
    cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n"),
    key: srv.privPem,
  };
  return cached;
}

/** An RBAC-like allow rule. Empty or `"*"` entries match everything. */
export interface AccessRule {
  verbs: string[];
  apiGroups: string[];
  /** Resource names such as "pods", "pods/log", "spinapps". */
  resources: string[];
  /** Namespaces the rule applies to; omitted = all namespaces and cluster scope. */
  namespaces?: string[];
}

/** A user behind a bearer token. `rules` undefined means cluster-admin. */
export interface TokenUser {
  token: string;
  user: string;
  groups?: string[];
  rules?: AccessRule[];
}

/** What a request wants to do, for authorization. */
export interface AccessAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A new random bearer token. */
export function newToken(): string {
  return randomBytes(24).toString("hex");
}

/** The token table: authenticates bearer tokens and authorizes requests. */
export class Authenticator {
  private readonly users = new Map<string, TokenUser>();

  /** Adds or replaces a token. */
  add(u: TokenUser): void {
    this.users.set(u.token, u);
  }

  /** Removes a token: later requests with it get 401. */
  revoke(token: string): void {
    this.users.delete(token);
  }

  /** The user for an Authorization header; throws 401 when missing or unknown. */
  authenticate(header: string | undefined): TokenUser {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    const u = m ? this.users.get(m[1]) : undefined;
    if (!u) throw new ApiError(401, "Unauthorized", "Unauthorized");
    return u;
  }

  /** True when the user may do this. */
  allowed(u: TokenUser, a: AccessAttributes): boolean {
    if (!u.rules) return true;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return u.rules.some(
      (r) =>
        matchAny(r.verbs, a.verb) &&
        matchAny(r.apiGroups, a.group) &&
        matchAny(r.resources, res) &&
        (r.namespaces === undefined || (a.namespace !== undefined && r.namespaces.includes(a.namespace))),
    );
  }

  /** Throws the API server's 403 Forbidden Status when the user may not do this. */
  authorize(u: TokenUser, a: AccessAttributes): void {
    if (this.allowed(u, a)) return;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
    const subject = a.name ? `${qualified} "${a.name}"` : qualified;
    const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    throw new ApiError(
      403,
      "Forbidden",
      `${subject} is forbidden: User "${u.user}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${where}`,
      { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
    );
  }
}

function matchAny(list: string[], v: string): boolean {
  return list.length === 0 || list.includes("*") || list.includes(v);
}
