// The spin CLI wrapper against the stand-in: locating spin (setting, PATH, missing), the version
// check (too old, Spin 4 note, not spin at all), the kube plugin check on both list formats and its
// installation, and the process runner: argv without a shell, streamed lines, stdin, and
// cancellation that ends the whole process tree.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { runProcess, startProcess } from "../../../src/spin/process";
import { SpinCli, findSpin, locateSpin } from "../../../src/spin/spinCli";
import { STANDIN_BIN, STANDIN_SPIN, standinEnv } from "../../spin-standin/harness";

const se = standinEnv();
after(() => {
  assert.deepEqual(se.factsViolations(), []);
  se.cleanup();
});

/** True when the process is gone (or a zombie nobody reaps in a container without init). */
/** True once `pid` is gone or a zombie, checked until `ms` have passed. */
async function deadWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!dead(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return / Z /.test(stat.slice(stat.lastIndexOf(")")));
  } catch {
    return true;
  }
}

test("locate: the setting wins (relative to the workspace), then PATH; each miss names the fix", async () => {
  const onPath = await locateSpin({ envPath: `${STANDIN_BIN}${path.delimiter}/usr/bin` });
  assert.deepEqual(onPath, { ok: true, value: STANDIN_SPIN });
  const configured = await locateSpin({ configuredPath: path.relative(path.join(STANDIN_BIN, ".."), STANDIN_SPIN), baseDir: path.join(STANDIN_BIN, ".."), envPath: "" });
  assert.deepEqual(configured, { ok: true, value: STANDIN_SPIN });
  const wrong = await locateSpin({ configuredPath: "/nope/spin", envPath: STANDIN_BIN });
  assert.ok(!wrong.ok);
  assert.equal(wrong.error.kind, "spinMissing");
  assert.equal(wrong.error.message, "The spinkube.spin.path setting points at /nope/spin, which is not an executable file: fix the setting or clear it to use spin from PATH.");
  const none = await locateSpin({ envPath: "/usr/sbin" });
  assert.ok(!none.ok);
  assert.match(none.error.message, /^The spin CLI was not found on PATH: install Spin \(https:\/\/spinframework\.dev\/install\) or set spinkube\.spin\.path\.$/);
});

test("version: 3.x is fine, 2.3.0 is refused, 4.x carries the template note, a non-spin binary is named", async () => {
  const found = await findSpin({ envPath: STANDIN_BIN });
  assert.ok(found.ok);
  assert.equal(found.value.info.version.version, "3.6.3");
  assert.equal(found.value.info.compatibility.note, undefined);
  const old = await new SpinCli(STANDIN_SPIN, { ...se.env, SPIN_STANDIN_VERSION: "2.3.0" }).version();
  assert.ok(!old.ok);
  assert.equal(old.error.kind, "spinUnusable");
  assert.match(old.error.message, /Spin 2\.3\.0 is too old for the kube plugin/);
  const four = await new SpinCli(STANDIN_SPIN, { ...se.env, SPIN_STANDIN_VERSION: "4.0.2" }).version();
  assert.ok(four.ok);
  assert.match(four.value.compatibility.note ?? "", /http-rust-p2/);
  const notSpin = await new SpinCli("/bin/true").version();
  assert.ok(!notSpin.ok);
  assert.match(notSpin.error.message, /^\/bin\/true --version did not print a Spin version \(exit 0\): is spinkube\.spin\.path the Spin CLI\?$/);
  const missing = await new SpinCli("/nope/spin").version();
  assert.ok(!missing.ok && missing.error.kind === "spinMissing" && /ENOENT/.test(missing.error.message));
});

test("kube plugin: JSON list on Spin ≥ 3.2, plain list before; installing it with -y", async () => {
  const fresh = standinEnv();
  try {
    for (const version of ["3.6.3", "3.1.0"]) {
      const cli = new SpinCli(STANDIN_SPIN, { ...fresh.env, SPIN_STANDIN_VERSION: version });
      const v = await cli.version();
      assert.ok(v.ok);
      assert.deepEqual(await cli.hasKubePlugin(v.value.version), { ok: true, value: false }, version);
    }
    const cli = new SpinCli(STANDIN_SPIN, fresh.env);
    assert.deepEqual(await cli.installKubePlugin(), { ok: true, value: "installed" });
    assert.deepEqual(await cli.installKubePlugin(), { ok: true, value: "alreadyInstalled" });
    for (const version of ["3.6.3", "3.1.0"]) {
      const c = new SpinCli(STANDIN_SPIN, { ...fresh.env, SPIN_STANDIN_VERSION: version });
      const v = await c.version();
      assert.ok(v.ok);
      assert.deepEqual(await c.hasKubePlugin(v.value.version), { ok: true, value: true }, version);
    }
    const argvs = fresh.invocations().map((i) => i.argv.join(" "));
    assert.ok(argvs.includes("plugins list --installed --format json"));
    assert.ok(argvs.includes("plugins list --installed"));
    assert.ok(argvs.includes("plugins install kube -y"));
    assert.deepEqual(fresh.factsViolations(), []);
  } finally {
    fresh.cleanup();
  }
});

test("process: arguments are never interpreted by a shell; lines stream; stdin is written then closed", async () => {
  const lines: string[] = [];
  const r = await runProcess(process.execPath, ["-e", "process.stdout.write('a\\nb'); console.error('e1'); process.stdin.pipe(process.stdout)", "$(touch /tmp/never) ; `x`"], {
    stdin: "\nsecret-from-stdin",
    onLine: (s, l) => lines.push(`${s}:${l}`),
  });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "a\nb\nsecret-from-stdin");
  assert.deepEqual(lines.filter((l) => l.startsWith("stdout:")), ["stdout:a", "stdout:b", "stdout:secret-from-stdin"]);
  assert.deepEqual(lines.filter((l) => l.startsWith("stderr:")), ["stderr:e1"]);
  assert.equal(r.cancelled, false);
  const missing = await runProcess("/definitely/not/here", []);
  assert.equal(missing.spawnError?.code, "ENOENT");
  assert.equal(missing.code, null);
});

test("process: aborting ends the whole tree (shell, child, grandchild), even one that ignores SIGTERM", async () => {
  const dir = path.join(se.root, "tree");
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, "tree.sh");
  // The grandchild ignores SIGTERM: the SIGKILL after the grace period must end it.
  writeFileSync(script, `node -e "process.on('SIGTERM', () => {}); console.log('grandchild ' + process.pid); setInterval(() => {}, 1000)" &\necho "shell $$"\nwait\n`);
  const ac = new AbortController();
  const pids: number[] = [];
  const run = startProcess("sh", [script], {
    signal: ac.signal,
    killGraceMs: 300,
    onLine: (_s, l) => {
      const m = /^(shell|grandchild) (\d+)$/.exec(l);
      if (m) pids.push(Number(m[2]));
      if (pids.length === 2) ac.abort();
    },
  });
  const r = await run.done;
  assert.equal(r.cancelled, true);
  assert.equal(pids.length, 2);
  // The pipes close while the kernel is still tearing the last process down: give exit a moment.
  for (const pid of pids) assert.ok(await deadWithin(pid, 2000), `process ${pid} survived the abort`);
  // stop() on a finished process is harmless.
  assert.equal((await run.stop()).cancelled, true);
  assert.ok(!existsSync("/tmp/never"));
});
