// Persistence commands and settings, side by side with redis-server where replies are
// deterministic: SAVE / BGSAVE [SCHEDULE] / LASTSAVE / BGREWRITEAOF, INFO persistence, save
// points, SHUTDOWN and SIGTERM saves, stop-writes-on-bgsave-error, DEBUG RELOAD, FLUSHALL.

import { test, expect, afterAll } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type Redis from "ioredis";
import { REDIS_SERVER, freePort, redisServer, tempDir, tsredis, type Proc } from "./helpers/persist.ts";

const started: Proc[] = [];
afterAll(async () => {
  for (const p of started) if (p.proc.exitCode === null) await p.stop();
});

async function both(args: string[] = []): Promise<[Redis, Redis | null]> {
  const ours = await tsredis(tempDir("pers-"), await freePort(), ["--save", "", ...args]);
  started.push(ours);
  if (!REDIS_SERVER) return [ours.client(), null];
  const ref = await redisServer(tempDir("pers-ref-"), await freePort(), ["--save", "", ...args]);
  started.push(ref);
  return [ours.client(), ref.client()];
}

async function reply(r: Redis, ...args: string[]): Promise<unknown> {
  try {
    return await r.call(args[0], ...args.slice(1));
  } catch (e) {
    return `ERR:${(e as Error).message}`;
  }
}

async function waitFor(cond: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await Bun.sleep(20);
  }
  throw new Error("timed out");
}

const field = async (r: Redis, name: string) => (await r.info("persistence")).match(new RegExp(`${name}:(.*)\r`))?.[1];

test("SAVE, BGSAVE, BGREWRITEAOF and LASTSAVE reply like redis-server", async () => {
  const [ours, ref] = await both();
  const script = async (r: Redis) => {
    const out: unknown[] = [];
    out.push(await reply(r, "save"));
    out.push(await reply(r, "bgsave", "now"));
    out.push(await reply(r, "bgsave", "schedule", "x"));
    // A slow save keeps the "child" busy for the next answers.
    await r.config("SET", "rdb-key-save-delay", "200000");
    await r.set("a", "1");
    await r.set("b", "2");
    out.push(await reply(r, "bgsave"));
    out.push(await reply(r, "bgsave"));
    out.push(await reply(r, "bgsave", "schedule"));
    out.push(await reply(r, "save"));
    out.push(await reply(r, "bgrewriteaof"));
    out.push(await field(r, "rdb_bgsave_in_progress"));
    out.push(await field(r, "aof_rewrite_scheduled"));
    out.push(await field(r, "current_save_keys_total"));
    await r.config("SET", "rdb-key-save-delay", "0");
    const before = Number(await r.lastsave());
    await waitFor(async () => (await field(r, "rdb_bgsave_in_progress")) === "0" && (await field(r, "aof_rewrite_in_progress")) === "0" && (await field(r, "aof_rewrite_scheduled")) === "0");
    out.push(await field(r, "rdb_last_bgsave_status"));
    out.push(await field(r, "rdb_changes_since_last_save"));
    out.push(await field(r, "rdb_saves"));
    out.push(await field(r, "aof_rewrites"));
    out.push(Number(await r.lastsave()) >= before);
    out.push(await r.multi().call("save").exec().catch((e: Error) => e.message));
    return out;
  };
  const got = await script(ours);
  if (ref) expect(got).toEqual(await script(ref));
  expect(got.slice(0, 3)).toEqual(["OK", "ERR:ERR syntax error", "ERR:ERR syntax error"]);
}, 60000);

test("INFO persistence has Redis's fields in Redis's order, with AOF off and on", async () => {
  const names = async (r: Redis) => (await r.info("persistence")).split("\r\n").filter((l) => l.includes(":")).map((l) => l.split(":")[0]);
  for (const args of [[], ["--appendonly", "yes"]]) {
    const [ours, ref] = await both(args);
    if (ref) expect(await names(ours)).toEqual(await names(ref));
    expect(await names(ours)).toContain(args.length > 0 ? "aof_current_size" : "rdb_last_load_keys_loaded");
  }
});

test("save points start a BGSAVE once enough changes are old enough", async () => {
  const dir = tempDir("pers-points-");
  const s = await tsredis(dir, await freePort(), ["--save", "1 2"]);
  started.push(s);
  const r = s.client();
  await r.set("a", "1");
  await Bun.sleep(1300);
  expect(existsSync(join(dir, "dump.rdb"))).toBe(false);
  await r.set("b", "2");
  await waitFor(async () => (await field(r, "rdb_changes_since_last_save")) === "0");
  expect(existsSync(join(dir, "dump.rdb"))).toBe(true);
  expect(s.output()).toContain("2 changes in 1 seconds. Saving...");
  expect(readdirSync(dir).filter((f) => f.startsWith("temp-"))).toEqual([]);
});

test("SHUTDOWN saves with save points or SAVE, not with NOSAVE; SIGTERM saves too", async () => {
  const port = await freePort();
  const cases: [string[], string[], boolean][] = [
    [["--save", "3600 1"], ["shutdown"], true],
    [["--save", ""], ["shutdown", "save"], true],
    [["--save", "3600 1"], ["shutdown", "nosave"], false],
    [["--save", ""], ["shutdown"], false],
  ];
  for (const [args, cmd, saves] of cases) {
    const dir = tempDir("pers-shut-");
    const s = await tsredis(dir, port, args);
    const r = s.client();
    await r.set("k", "v");
    await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    await s.proc.exited;
    expect([cmd.join(" "), args.join(" "), existsSync(join(dir, "dump.rdb"))]).toEqual([cmd.join(" "), args.join(" "), saves]);
  }
  const dir = tempDir("pers-term-");
  let s = await tsredis(dir, port, ["--save", "3600 1"]);
  await s.client().set("k", "v");
  await s.stop();
  s = await tsredis(dir, port, ["--save", "3600 1"]);
  expect(await s.client().get("k")).toBe("v");
  await s.stop();
}, 60000);

test("a failing save blocks SHUTDOWN (but not SHUTDOWN FORCE) and, with stop-writes-on-bgsave-error, writes", async () => {
  const root = tempDir("pers-fail-");
  const dir = join(root, "data");
  mkdirSync(dir);
  const s = await tsredis(dir, await freePort(), ["--save", "3600 1"]);
  started.push(s);
  const r = s.client();
  await r.set("k", "v");
  rmSync(dir, { recursive: true });
  expect(await reply(r, "save")).toBe("ERR:ERR");
  expect(await reply(r, "bgsave")).toBe("Background saving started");
  await waitFor(async () => (await field(r, "rdb_last_bgsave_status")) === "err");
  const misconf = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.";
  expect(String(await reply(r, "set", "k", "w"))).toContain(misconf);
  expect(String(await reply(r, "ping"))).toContain(misconf);
  expect(await reply(r, "get", "k")).toBe("v");
  expect(await reply(r, "shutdown")).toBe("ERR:ERR Errors trying to SHUTDOWN. Check logs.");
  await r.config("SET", "stop-writes-on-bgsave-error", "no");
  expect(await reply(r, "set", "k", "w")).toBe("OK");
  await r.config("SET", "stop-writes-on-bgsave-error", "yes");
  mkdirSync(dir);
  expect(await reply(r, "bgsave")).toBe("Background saving started");
  await waitFor(async () => (await field(r, "rdb_last_bgsave_status")) === "ok");
  expect(await reply(r, "set", "k", "x")).toBe("OK");
  rmSync(dir, { recursive: true });
  await r.call("shutdown", "force").catch(() => null);
  await s.proc.exited;
}, 30000);

test("DEBUG RELOAD saves and reloads; NOSAVE, MERGE and NOFLUSH change what it does", async () => {
  const [r] = await both();
  await r.set("a", "1");
  await r.rpush("l", "x", "y");
  const digest = await r.call("debug", "digest");
  expect(await r.call("debug", "reload")).toBe("OK");
  expect(await r.call("debug", "digest")).toBe(digest);
  await r.set("a", "changed");
  await r.set("b", "new");
  expect(await r.call("debug", "reload", "nosave")).toBe("OK");
  expect(await r.mget("a", "b")).toEqual(["1", null]);
  await r.set("b", "kept");
  await r.set("a", "mine");
  expect(await r.call("debug", "reload", "nosave", "noflush", "merge")).toBe("OK");
  expect(await r.mget("a", "b")).toEqual(["1", "kept"]);
  expect(await reply(r, "debug", "reload", "nosave", "noflush")).toBe("ERR:ERR Error trying to load the RDB dump, check server logs.");
  expect(await reply(r, "debug", "reload", "sometimes")).toBe("ERR:ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
});

test("FLUSHALL with save points writes the empty dataset and keeps the change count", async () => {
  const dir = tempDir("pers-flush-");
  const s = await tsredis(dir, await freePort(), ["--save", "3600 100"]);
  started.push(s);
  const r = s.client();
  await r.set("a", "1");
  await r.save();
  const before = readFileSync(join(dir, "dump.rdb")).length;
  await r.flushall();
  expect(readFileSync(join(dir, "dump.rdb")).length).toBeLessThan(before);
  expect(Number(await field(r, "rdb_changes_since_last_save"))).toBeGreaterThan(0);
});

test("dir and dbfilename choose the file; no temp file is left behind", async () => {
  const dir = tempDir("pers-names-");
  const other = tempDir("pers-names-2-");
  const s = await tsredis(dir, await freePort(), ["--save", "", "--dbfilename", "mydata.rdb", "--enable-protected-configs", "yes"]);
  started.push(s);
  const r = s.client();
  await r.set("a", "1");
  await r.save();
  expect(readdirSync(dir)).toEqual(["mydata.rdb"]);
  await r.config("SET", "dir", other);
  await r.bgsave();
  await waitFor(async () => existsSync(join(other, "mydata.rdb")) && (await field(r, "rdb_bgsave_in_progress")) === "0");
  expect(readdirSync(other)).toEqual(["mydata.rdb"]);
});
