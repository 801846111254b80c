// The append-only file: Redis 7's multi-part layout, effects (not commands) logged, atomic
// MULTI/EXEC blocks, rewrites with and without the RDB preamble, truncated files, loading an
// appendonlydir written by redis-server, and durability with appendfsync always.

import { test, expect } from "bun:test";
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { REDIS_SERVER, fillDataset, freePort, redisServer, runToExit, snapshotOf, tempDir, tsredis } from "./helpers/persist.ts";
import { BIN } from "./helpers/server.ts";

const CHECK_AOF = Bun.which("redis-check-aof");
const AOF = ["--save", "", "--appendonly", "yes"];

function aofDir(dir: string): string {
  return join(dir, "appendonlydir");
}

function manifest(dir: string): string {
  return readFileSync(join(aofDir(dir), "appendonly.aof.manifest"), "latin1");
}

/** The newest incremental file's text. */
function incr(dir: string): string {
  const lines = manifest(dir).trim().split("\n").filter((l) => l.endsWith("type i"));
  const name = lines[lines.length - 1].split(" ")[1];
  return readFileSync(join(aofDir(dir), name), "latin1");
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await Bun.sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const rewriteDone = (r: Redis) => async () => /aof_rewrite_in_progress:0/.test(await r.info("persistence"));

test("every type round-trips through the AOF (kill -9, restart)", async () => {
  const dir = tempDir("aof-rt-");
  const port = await freePort();
  let s = await tsredis(dir, port, [...AOF, "--appendfsync", "always"]);
  const r = s.client();
  await fillDataset(r);
  await r.set("gone", "x", "PX", 30);
  await Bun.sleep(60);
  await r.get("gone");
  const before = await snapshotOf(r, { aof: true });
  await s.kill9();
  expect(manifest(dir)).toBe("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  s = await tsredis(dir, port, AOF);
  expect(await snapshotOf(s.client(), { aof: true })).toEqual(before);
  await s.stop();
  if (CHECK_AOF) expect((await runToExit([CHECK_AOF, join(aofDir(dir), "appendonly.aof.manifest")], dir)).output).toContain("All AOF files and manifest are valid");
}, 60000);

test("effects are logged, not the commands as sent", async () => {
  const dir = tempDir("aof-fx-");
  const s = await tsredis(dir, await freePort(), [...AOF, "--appendfsync", "always"]);
  const r = s.client();
  await r.set("k", "v");
  await r.expire("k", 100);
  await r.sadd("s", "only");
  await r.spop("s");
  await r.incrbyfloat("f", "1.5");
  await r.set("short", "v", "PX", 20);
  await Bun.sleep(50);
  expect(await r.get("short")).toBe(null);
  await r.select(4);
  await r.set("k4", "v");
  const log = incr(dir);
  expect(log).toMatch(/\*3\r\n\$9\r\nPEXPIREAT\r\n\$1\r\nk\r\n\$13\r\n\d{13}\r\n/);
  expect(log).not.toContain("expire\r\n");
  expect(log).toContain("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$4\r\nonly\r\n");
  expect(log).toContain("*4\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\n1.5\r\n$7\r\nKEEPTTL\r\n");
  expect(log).toContain("*2\r\n$3\r\nDEL\r\n$5\r\nshort\r\n");
  expect(log).toContain("*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n");
  await s.stop();
});

test("MULTI/EXEC blocks stay atomic; a block cut short is dropped on load", async () => {
  const dir = tempDir("aof-multi-");
  const port = await freePort();
  let s = await tsredis(dir, port, [...AOF, "--appendfsync", "always"]);
  const r = s.client();
  await r.set("before", "1");
  const m = await r.multi().set("a", "1").incr("b").rpush("c", "x").exec();
  expect(m).toEqual([[null, "OK"], [null, 1], [null, 1]]);
  const log = incr(dir);
  expect(log).toMatch(/MULTI\r\n.*\r\nset\r\n.*incr.*rpush.*\r\nEXEC\r\n$/s);
  await s.kill9();
  // Cut the file in the middle of the transaction.
  const file = join(aofDir(dir), "appendonly.aof.1.incr.aof");
  const cut = log.indexOf("rpush");
  truncateSync(file, cut);
  s = await tsredis(dir, port, AOF);
  const c = s.client();
  expect(await c.mget("before", "a", "b", "c")).toEqual(["1", null, null, null]);
  expect(s.output()).toContain("Revert incomplete MULTI/EXEC transaction");
  expect(readFileSync(file, "latin1")).toBe(log.slice(0, log.indexOf("*1\r\n$5\r\nMULTI")));
  await s.stop();
}, 30000);

test("aof-load-truncated cuts a last command written halfway, or refuses to start", async () => {
  const dir = tempDir("aof-trunc-");
  const port = await freePort();
  let s = await tsredis(dir, port, [...AOF, "--appendfsync", "always"]);
  await s.client().set("a", "1");
  await s.client().set("b", "2");
  await s.kill9();
  const file = join(aofDir(dir), "appendonly.aof.1.incr.aof");
  const whole = readFileSync(file);
  appendFileSync(file, "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal");
  const refused = await runToExit([BIN, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--admin-port", "0", ...AOF, "--aof-load-truncated", "no"], dir);
  expect(refused.code).not.toBe(0);
  expect(refused.output).toContain("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof");
  s = await tsredis(dir, port, AOF);
  expect(await s.client().mget("a", "b", "c")).toEqual(["1", "2", null]);
  expect(s.output()).toContain("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled");
  expect(readFileSync(file).length).toBe(whole.length);
  await s.client().set("c", "3");
  await s.kill9();
  s = await tsredis(dir, port, AOF);
  expect(await s.client().mget("a", "b", "c")).toEqual(["1", "2", "3"]);
  await s.stop();

  writeFileSync(file, "*2\r\n$3\r\nGET\r\nbogus");
  const bad = await runToExit([BIN, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--admin-port", "0", ...AOF, "--aof-load-truncated", "no"], dir);
  expect(bad.code).not.toBe(0);
}, 60000);

for (const preamble of ["yes", "no"]) {
  test(`BGREWRITEAOF under writes (aof-use-rdb-preamble ${preamble})`, async () => {
    const dir = tempDir("aof-rw-");
    const port = await freePort();
    let s = await tsredis(dir, port, [...AOF, "--aof-use-rdb-preamble", preamble]);
    const r = s.client();
    await fillDataset(r);
    await r.call("debug", "populate", "100000");
    const w = s.client();
    expect(await r.bgrewriteaof()).toBe("Background append only file rewriting started");
    let n = 0;
    while (/aof_rewrite_in_progress:1/.test(await r.info("persistence")) || n < 5) {
      const p = w.pipeline();
      for (let i = 0; i < 200; i++) p.set(`during:${n}:${i}`, "v").rpush("list:big", String(n)).del(`key:${n * 200 + i}`);
      await p.exec();
      n++;
    }
    await waitFor("rewrite", rewriteDone(r));
    expect(await r.info("persistence")).toContain("aof_last_bgrewrite_status:ok");
    const ext = preamble === "yes" ? "rdb" : "aof";
    expect(manifest(dir)).toBe(`file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    expect(readdirSync(aofDir(dir)).sort()).toEqual([`appendonly.aof.2.base.${ext}`, "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
    await r.set("after", "1");
    const before = await snapshotOf(r, { aof: true });
    const dbsize = await r.dbsize();
    await Bun.sleep(1100);
    await s.kill9();
    if (CHECK_AOF) expect((await runToExit([CHECK_AOF, join(aofDir(dir), "appendonly.aof.manifest")], dir)).output).toContain("All AOF files and manifest are valid");
    s = await tsredis(dir, port, AOF);
    expect(await snapshotOf(s.client(), { aof: true })).toEqual(before);
    expect(await s.client().dbsize()).toBe(dbsize);
    await s.stop();
  }, 120000);
}

test("an appendonlydir written by redis-server 7.0 loads", async () => {
  if (!REDIS_SERVER) return;
  const dir = tempDir("aof-ref-");
  const red = await redisServer(dir, await freePort(), [...AOF, "--appendfsync", "always"]);
  const r = red.client();
  await fillDataset(r);
  await r.bgrewriteaof();
  await waitFor("rewrite", rewriteDone(r));
  await r.multi().set("tx1", "a").incr("tx2").exec();
  await r.lpop("list:big");
  await r.expire("str:bin", 1000);
  const before = await snapshotOf(r, { aof: true });
  await red.kill9();
  const s = await tsredis(dir, await freePort(), AOF);
  expect(await snapshotOf(s.client(), { aof: true })).toEqual(before);
  await s.stop();
}, 60000);

test("appendfsync always: after kill -9 every acknowledged write is there", async () => {
  const dir = tempDir("aof-always-");
  const port = await freePort();
  let s = await tsredis(dir, port, [...AOF, "--appendfsync", "always"]);
  const writers = 8;
  const acked = new Array<number>(writers).fill(0);
  const conns = Array.from({ length: writers }, () => s.client({ maxRetriesPerRequest: 0, retryStrategy: () => null }));
  let stop = false;
  const loops = conns.map(async (c, w) => {
    for (let i = 1; !stop; i++) {
      try {
        await c.rpush(`w:${w}`, String(i));
        await c.set(`w:${w}:last`, String(i));
        acked[w] = i;
      } catch {
        return;
      }
    }
  });
  await Bun.sleep(1500);
  s.proc.kill(9);
  stop = true;
  await Promise.all(loops);
  await s.proc.exited;
  expect(acked.every((n) => n > 0)).toBe(true);
  s = await tsredis(dir, port, AOF);
  const r = s.client();
  for (let w = 0; w < writers; w++) {
    const list = await r.lrange(`w:${w}`, 0, -1);
    expect(list.length).toBeGreaterThanOrEqual(acked[w]);
    expect(list.slice(0, acked[w])).toEqual(Array.from({ length: acked[w] }, (_, i) => String(i + 1)));
    expect(Number(await r.get(`w:${w}:last`))).toBeGreaterThanOrEqual(acked[w]);
  }
  await s.stop();
}, 60000);

test("CONFIG SET appendonly yes writes a base first; no stops appending", async () => {
  const dir = tempDir("aof-cfg-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", ""]);
  const r = s.client();
  await fillDataset(r);
  await r.config("SET", "appendonly", "yes");
  await waitFor("rewrite", rewriteDone(r));
  expect(await r.info("persistence")).toContain("aof_enabled:1");
  expect(manifest(dir)).toBe("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
  await r.set("later", "1");
  const before = await snapshotOf(r, { aof: true });
  await r.config("SET", "appendonly", "no");
  await r.set("not-logged", "1");
  expect(incr(dir)).not.toContain("not-logged");
  expect(await r.info("persistence")).toContain("aof_enabled:0");
  await s.kill9();
  s = await tsredis(dir, port, AOF);
  expect(await snapshotOf(s.client(), { aof: true })).toEqual(before);
  await s.stop();
}, 60000);

test("auto-aof-rewrite-percentage / -min-size rewrite a growing AOF", async () => {
  const dir = tempDir("aof-auto-");
  const s = await tsredis(dir, await freePort(), [...AOF, "--auto-aof-rewrite-min-size", "100kb", "--auto-aof-rewrite-percentage", "50"]);
  const r = s.client();
  const value = "x".repeat(1000);
  for (let i = 0; i < 300; i++) await r.set(`k${i % 10}`, value);
  await waitFor("an automatic rewrite", async () => /aof_rewrites:[1-9]/.test(await r.info("persistence")));
  await waitFor("rewrite", rewriteDone(r));
  expect(statSync(join(aofDir(dir), "appendonly.aof.2.base.rdb")).size).toBeLessThan(20000);
  await s.stop();
}, 30000);

test("DEBUG LOADAOF reloads the AOF in memory", async () => {
  const dir = tempDir("aof-debug-");
  const s = await tsredis(dir, await freePort(), [...AOF, "--aof-use-rdb-preamble", "no"]);
  const r = s.client();
  await fillDataset(r);
  await r.bgrewriteaof();
  await waitFor("rewrite", rewriteDone(r));
  await r.set("tail", "1");
  const before = await snapshotOf(r, { aof: true });
  expect(await r.call("debug", "loadaof")).toBe("OK");
  expect(await snapshotOf(r, { aof: true })).toEqual(before);
  expect(incr(dir)).toBe("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$4\r\ntail\r\n$1\r\n1\r\n");
  await s.stop();
}, 30000);
