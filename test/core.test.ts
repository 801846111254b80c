// End-to-end checks of the binary itself: command line, config errors, admin endpoint,
// pipelining, slow readers, protocol errors, redis-cli --pipe, shutdown.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect } from "node:net";
import { existsSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeReply } from "../src/resp/reply.ts";
import { BIN, cli, freePort, startTsredis, waitForPing, type RunningServer } from "./helpers/server.ts";

let srv: RunningServer;
beforeAll(async () => {
  srv = await startTsredis();
});
afterAll(async () => {
  await srv.stop();
});

/** Send raw bytes on a fresh connection and collect everything until `until` matches or the peer closes. */
function raw(port: number, payload: string | Uint8Array, until: (s: string) => boolean, opts: { pauseMs?: number } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    let text = "";
    let closed = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout; got ${text.length} bytes: ${text.slice(0, 200)}`));
    }, 20000);
    s.on("data", (d) => {
      text += d.toString("latin1");
      if (until(text)) {
        clearTimeout(timer);
        s.destroy();
        resolve({ text, closed });
      }
    });
    s.on("close", () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    s.on("error", reject);
    s.on("connect", () => {
      if (opts.pauseMs) {
        s.pause();
        setTimeout(() => s.resume(), opts.pauseMs);
      }
      s.write(payload);
    });
  });
}

test("--version and --help", () => {
  const v = Bun.spawnSync([BIN, "--version"]);
  expect(v.exitCode).toBe(0);
  expect(v.stdout.toString()).toMatch(/redis_version=7\.0\.15/);
  const h = Bun.spawnSync([BIN, "--help"]);
  expect(h.stdout.toString()).toMatch(/Usage: \.\/tsredis/);
});

test("a bad directive stops start-up with Redis's banner", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsredis-conf-"));
  const conf = join(dir, "bad.conf");
  writeFileSync(conf, "port 6399\nno-such-directive yes\n");
  const p = Bun.spawnSync([BIN, conf]);
  expect(p.exitCode).toBe(1);
  const err = p.stderr.toString();
  expect(err).toContain("*** FATAL CONFIG FILE ERROR");
  expect(err).toContain("at line 2");
  expect(err).toContain(">>> 'no-such-directive yes'");
  expect(err).toContain("Bad directive or wrong number of arguments");
});

test("redis-cli ping", async () => {
  expect(await cli(srv.port, ["ping"])).toBe("PONG");
});

test("admin endpoint serves INFO as JSON and a health check", async () => {
  const port = await freePort();
  const s = await startTsredis(["--admin-port", String(port)]);
  try {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const info = (await (await fetch(`http://127.0.0.1:${port}/info`)).json()) as Record<string, Record<string, unknown>>;
    expect(info.server.redis_version).toBe("7.0.15");
    expect(String(info.server.run_id)).toMatch(/^[0-9a-f]{40}$/);
    const mem = (await (await fetch(`http://127.0.0.1:${port}/info?section=memory`)).json()) as Record<string, unknown>;
    expect(Object.keys(mem)).toEqual(["memory"]);
  } finally {
    await s.stop();
  }
});

test("admin endpoint requires the password when requirepass is set", async () => {
  const port = await freePort();
  const s = await startTsredis(["--admin-port", String(port), "--requirepass", "s3cret"]);
  try {
    expect((await fetch(`http://127.0.0.1:${port}/info`)).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/info`, { headers: { authorization: `Bearer s3cret` } });
    expect(ok.status).toBe(200);
    expect(await cli(s.port, ["get", "x"])).toContain("NOAUTH");
    expect(await cli(s.port, ["-a", "s3cret", "--no-auth-warning", "ping"])).toBe("PONG");
  } finally {
    await s.stop();
  }
});

test("10,000 pipelined commands in one write are answered in order", async () => {
  let payload = "";
  for (let i = 0; i < 10000; i++) payload += `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`;
  const { text } = await raw(srv.port, payload, (t) => t.endsWith("$4\r\n9999\r\n"));
  const values = text.split("\r\n").filter((_, i) => i % 2 === 1);
  expect(values.length).toBe(10000);
  expect(values.every((v, i) => v === String(i))).toBe(true);
});

test("a slow reader gets every reply, complete and in order", async () => {
  const r = srv.client();
  await r.set("big", "x".repeat(200000));
  let payload = "";
  for (let i = 0; i < 200; i++) payload += "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$4\r\nECHO\r\n$" + String(i).length + "\r\n" + i + "\r\n";
  const { text } = await raw(srv.port, payload, (t) => t.endsWith("$3\r\n199\r\n"), { pauseMs: 500 });
  const buf = Buffer.from(text, "latin1");
  let pos = 0;
  for (let i = 0; i < 200; i++) {
    let v;
    [v, pos] = decodeReply(buf, pos);
    expect((v as Uint8Array).length).toBe(200000);
    [v, pos] = decodeReply(buf, pos);
    expect(Buffer.from(v as Uint8Array).toString()).toBe(String(i));
  }
  expect(pos).toBe(buf.length);
});

test("a protocol error closes only that connection", async () => {
  const { text, closed } = await raw(srv.port, "*1\r\n$x\r\n", () => false);
  expect(text).toBe("-ERR Protocol error: invalid bulk length\r\n");
  expect(closed).toBe(true);
  expect(await cli(srv.port, ["ping"])).toBe("PONG");
});

test("redis-cli --pipe of 100,000 SETs reports no errors", async () => {
  let text = "";
  for (let i = 0; i < 100000; i++) text += `SET pipe:${i} v${i}\r\n`;
  const out = await cli(srv.port, ["--pipe"], text);
  expect(out).toContain("errors: 0, replies: 100000");
  expect(await cli(srv.port, ["get", "pipe:99999"])).toBe("v99999");
});

test("SIGTERM shuts down cleanly and removes the pidfile", async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tsredis-pid-"));
  const pidfile = join(dir, "tsredis.pid");
  const logfile = join(dir, "log.txt");
  const p = Bun.spawn([BIN, "--port", String(port), "--bind", "127.0.0.1", "--admin-port", "0", "--pidfile", pidfile, "--logfile", logfile, "--dir", dir], { stdout: "pipe", stderr: "pipe" });
  await waitForPing(port);
  expect(existsSync(pidfile)).toBe(true);
  p.kill("SIGTERM");
  expect(await p.exited).toBe(0);
  expect(existsSync(pidfile)).toBe(false);
  const log = await Bun.file(logfile).text();
  expect(log).toMatch(/^\d+:M \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} \* .*Ready to accept connections/m);
});

test("a bare --cluster-enabled flag means yes, and CLUSTER KEYSLOT hashes like Redis Cluster", async () => {
  const s = await startTsredis(["--cluster-enabled"]);
  try {
    const r = s.client();
    expect(await r.config("GET", "cluster-enabled")).toEqual(["cluster-enabled", "yes"]);
    expect(await r.cluster("KEYSLOT", "foo")).toBe(12182);
    expect(await r.cluster("KEYSLOT", "{user1000}.following")).toBe(await r.cluster("KEYSLOT", "user1000"));
  } finally {
    await s.stop();
  }
  expect((await cli(srv.port, ["cluster", "keyslot", "foo"])).trim()).toBe("ERR This instance has cluster support disabled");
});
