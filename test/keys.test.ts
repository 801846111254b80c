// Generic keyspace commands (src/commands/keys.ts) side by side with the real redis-server.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import { startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";
import { type Arg, notifications, onBoth, run } from "./helpers/compare.ts";

// DEBUG (set-active-expire) only reaches tsredis: the reference server runs without it.
const DEBUG = ["--enable-debug-command", "yes"];
let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => {
  [ts, ref] = await Promise.all([startTsredis(DEBUG), startRedis()]);
  a = ts.client();
  b = ref?.client() ?? null;
});
afterAll(async () => {
  await Promise.all([ts.stop(), ref?.stop()]);
});

/** Run each command on both servers and require identical replies (sorted where asked). */
async function same(cmds: Arg[][], opts: { sort?: boolean } = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const cmd of cmds) {
    let got = await run(a, cmd);
    if (opts.sort && Array.isArray(got)) got = [...got].sort();
    if (b) {
      let want = await run(b, cmd);
      if (opts.sort && Array.isArray(want)) want = [...want].sort();
      expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: want });
    }
    out.push(got);
  }
  return out;
}

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

const bin = (...bytes: number[]) => Buffer.from(bytes);

test("DEL, UNLINK, EXISTS (duplicates count), TYPE", async () => {
  await both(["flushall"]);
  await same([
    ["set", "a", "1"], ["set", "b", "2"], ["set", "c", "3"],
    ["exists", "a", "a", "b", "nokey"], ["type", "a"], ["type", "nokey"],
    ["del", "a", "a", "nokey"], ["unlink", "b", "c", "b"], ["exists", "a", "b", "c"],
    ["del"], ["exists"], ["type"], ["type", "a", "b"],
  ]);
});

test("KEYS with patterns, escapes and binary keys", async () => {
  await both(["flushall"]);
  for (const k of ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c", "h?llo", "h[e]llo", "hello", "hallo", "a*b"]) await both(["set", k, "v"]);
  await both(["set", bin(0, 255, 10, 13), "v"]);
  await same(
    [["keys", "*"], ["keys", "foo*"], ["keys", "h?llo"], ["keys", "h[ae]llo"], ["keys", "h[^e]llo"], ["keys", "h\\?llo"], ["keys", "a\\*b"], ["keys", "key_[x-y]"], ["keys", "nomatch*"], ["keys", bin(0, 42)]],
    { sort: true },
  );
  await same([["keys"], ["keys", "a", "b"]]);
});

test("KEYS hides expired keys", async () => {
  await both(["flushall"]);
  await run(a, ["debug", "set-active-expire", "0"]);
  try {
    await both(["set", "live", "1"]);
    await both(["set", "dead", "1", "px", "1"]);
    await Bun.sleep(10);
    await same([["keys", "*"]], { sort: true });
  } finally {
    await run(a, ["debug", "set-active-expire", "1"]);
  }
});

async function scanAll(r: Redis, extra: Arg[] = []): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  let calls = 0;
  do {
    const [next, batch] = (await run(r, ["scan", cursor, ...extra])) as [string, string[]];
    cursor = next;
    keys.push(...batch);
    if (++calls > 100000) throw new Error("SCAN did not terminate");
  } while (cursor !== "0");
  return keys;
}

test("SCAN: full iteration, COUNT, MATCH, TYPE", async () => {
  await both(["flushall"]);
  const pipe = a.pipeline();
  for (let i = 0; i < 1000; i++) pipe.set(`key:${i}`, "AAA");
  await pipe.exec();
  const all = await scanAll(a);
  expect(new Set(all).size).toBe(1000);
  expect(new Set(await scanAll(a, ["count", 5])).size).toBe(1000);
  expect(new Set(await scanAll(a, ["count", 1000000])).size).toBe(1000);
  expect(new Set(await scanAll(a, ["match", "key:1??"])).size).toBe(100);
  expect((await scanAll(a, ["type", "list"])).length).toBe(0);
  expect(new Set(await scanAll(a, ["type", "STRING", "match", "key:*", "count", 10])).size).toBe(1000);
  // Every call visits about COUNT keys, like Redis.
  const [, first] = (await run(a, ["scan", "0"])) as [string, string[]];
  expect(first.length).toBeGreaterThanOrEqual(5);
  expect(first.length).toBeLessThanOrEqual(20);
});

test("SCAN cursor parsing and option errors match Redis", async () => {
  await both(["flushall"]);
  await both(["set", "k", "v"]);
  const cursors = ["", "-1", "+0", "00", " 1", "1 ", "abc", "-", "+", "18446744073709551615", "18446744073709551616", "0x10", "-18446744073709551615"];
  for (const cur of cursors) {
    const got = await run(a, ["scan", cur, "count", 100]);
    if (b) {
      const want = await run(b, ["scan", cur, "count", 100]);
      // Valid cursors land on different buckets in different tables; compare only the shape.
      expect(typeof got === "string" ? got : "array").toEqual(typeof want === "string" ? want : "array");
    }
  }
  await same([
    ["scan", "0", "count", "0"], ["scan", "0", "count", "-1"], ["scan", "0", "count", "abc"], ["scan", "0", "count"],
    ["scan", "0", "match"], ["scan", "0", "type"], ["scan", "0", "foo", "bar"], ["scan"],
    ["scan", "0", "match", "*", "count", "100"], ["scan", "0", "type", "string", "count", "100"], ["scan", "0", "type", "nosuchtype"],
  ]);
});

test("SCAN deletes and skips expired keys", async () => {
  await both(["flushall"]);
  await run(a, ["debug", "set-active-expire", "0"]);
  try {
    for (let i = 0; i < 20; i++) await both(["set", `exp:${i}`, "v", "px", "1"]);
    for (let i = 0; i < 5; i++) await both(["set", `live:${i}`, "v"]);
    await Bun.sleep(10);
    expect(await run(a, ["dbsize"])).toBe(25);
    for (const r of b ? [a, b] : [a]) expect((await scanAll(r, ["count", 1000])).sort()).toEqual(["live:0", "live:1", "live:2", "live:3", "live:4"]);
    await same([["dbsize"]]);
  } finally {
    await run(a, ["debug", "set-active-expire", "1"]);
  }
});

test("SCAN sees every key while keys are added", async () => {
  await both(["flushall"]);
  for (let i = 0; i < 100; i++) await run(a, ["set", `k${i}`, "v"]);
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = (await run(a, ["scan", cursor])) as [string, string[]];
    cursor = next;
    for (const k of batch) seen.add(k);
    const pipe = a.pipeline();
    for (let j = 0; j < 10; j++) pipe.set(`added:${Math.floor(Math.random() * 1000)}`, "v");
    await pipe.exec();
  } while (cursor !== "0");
  for (let i = 0; i < 100; i++) expect(seen.has(`k${i}`)).toBe(true);
});

test("RANDOMKEY: empty db, only expired keys, live keys", async () => {
  await both(["flushall"]);
  await same([["randomkey"]]);
  await run(a, ["debug", "set-active-expire", "0"]);
  try {
    for (let i = 0; i < 10; i++) await both(["set", `e${i}`, "v", "px", "1"]);
    await Bun.sleep(10);
    await same([["randomkey"], ["dbsize"]]);
    await both(["set", "foo", "x"]);
    await both(["set", "bar", "y"]);
    const seen = new Set<unknown>();
    for (let i = 0; i < 100; i++) seen.add(await run(a, ["randomkey"]));
    expect([...seen].sort()).toEqual(["bar", "foo"]);
  } finally {
    await run(a, ["debug", "set-active-expire", "1"]);
  }
});

test("RENAME and RENAMENX: TTLs, same key, missing key, overwrite", async () => {
  await both(["flushall"]);
  await same([
    ["rename", "nokey", "x"], ["renamenx", "nokey", "x"], ["rename", "nokey", "nokey"], ["renamenx", "nokey", "nokey"],
    ["set", "k", "v"], ["rename", "k", "k"], ["renamenx", "k", "k"], ["get", "k"],
    ["set", "t", "tv", "ex", "100"], ["rename", "t", "t2"], ["exists", "t"], ["get", "t2"],
    ["set", "o", "other", "ex", "100"], ["rename", "k", "o"], ["ttl", "o"], ["get", "o"],
    ["set", "n1", "a"], ["set", "n2", "b"], ["renamenx", "n1", "n2"], ["renamenx", "n1", "n3"], ["mget", "n1", "n2", "n3"],
    ["set", "big", "x".repeat(100000)], ["rename", "big", "big2"], ["strlen", "big2"], ["object", "encoding", "big2"],
    ["set", "i", "12345"], ["rename", "i", "i2"], ["object", "encoding", "i2"],
    ["set", "r", "abc"], ["append", "r", "d"], ["rename", "r", "r2"], ["object", "encoding", "r2"], ["get", "r2"],
  ]);
  const ttl = (await run(a, ["ttl", "t2"])) as number;
  expect(ttl > 95 && ttl <= 100).toBe(true);
});

test("RENAME of the only key in the db keeps its value", async () => {
  await both(["flushall"]);
  await same([["set", "solo", "value-of-solo"], ["rename", "solo", "solo2"], ["get", "solo2"], ["dbsize"]]);
});

test("COPY: same db, other db, REPLACE, TTL, errors", async () => {
  await both(["flushall"]);
  await same([
    ["set", "src", "foobar", "ex", "100"], ["copy", "src", "dst"], ["get", "dst"], ["copy", "src", "dst"],
    ["set", "src", "new"], ["copy", "src", "dst", "replace"], ["get", "dst"], ["ttl", "dst"],
    ["copy", "src", "src"], ["copy", "src", "src", "db", "0"], ["copy", "src", "src", "db", "1"],
    ["select", "1"], ["get", "src"], ["select", "0"],
    ["copy", "nokey", "x"], ["copy", "src", "x", "db"], ["copy", "src", "x", "db", "notanumber"], ["copy", "src", "x", "db", "99"],
    ["copy", "src", "x", "db", "-1"], ["copy", "src", "x", "foo"], ["copy", "src", "x", "replace", "replace"], ["copy", "src"],
    ["set", "n", "42"], ["copy", "n", "n2"], ["object", "encoding", "n2"], ["set", "m", "abc"], ["append", "m", "x"], ["copy", "m", "m2"],
    ["object", "encoding", "m2"],
  ]);
});

test("COPY makes an independent string", async () => {
  await both(["flushall"]);
  await same([["set", "a", "foobar"], ["copy", "a", "b", "db", "2"], ["select", "2"], ["append", "b", "X"], ["get", "b"], ["select", "0"], ["get", "a"]]);
});

test("MOVE: expire carried, existing target, same db, errors", async () => {
  await both(["flushall"]);
  await same([
    ["set", "mk", "foo", "ex", "100"], ["move", "mk", "1"], ["exists", "mk"], ["select", "1"], ["get", "mk"],
    ["select", "0"], ["set", "mk", "bar"], ["move", "mk", "1"], ["get", "mk"],
    ["move", "mk", "0"], ["move", "mk", "notanumber"], ["move", "mk", "99"], ["move", "mk", "-1"], ["move", "nokey", "1"],
    ["move", "mk", "4294967296"],
  ]);
  await both(["select", "1"]);
  const ttl = (await run(a, ["ttl", "mk"])) as number;
  expect(ttl > 95 && ttl <= 100).toBe(true);
  await both(["select", "0"]);
});

test("SWAPDB swaps contents and invalidates WATCH", async () => {
  await both(["flushall"]);
  await same([
    ["set", "x", "db0"], ["select", "1"], ["set", "x", "db1"], ["set", "y", "only1"], ["select", "0"],
    ["swapdb", "0", "1"], ["get", "x"], ["get", "y"], ["dbsize"], ["select", "1"], ["get", "x"], ["select", "0"],
    ["swapdb", "0", "0"], ["swapdb", "a", "1"], ["swapdb", "1", "a"], ["swapdb", "0", "99"], ["swapdb", "-1", "0"],
  ]);
  const w = ts.client();
  await w.watch("x");
  await run(a, ["swapdb", "0", "1"]);
  const res = await w.multi().get("x").exec();
  expect(res).toBeNull();
});

test("TOUCH and OBJECT IDLETIME: TYPE, EXISTS, OBJECT and TTL do not touch", async () => {
  await both(["flushall"]);
  await run(a, ["set", "foo", "bar"]);
  await Bun.sleep(2100);
  await run(a, ["type", "foo"]);
  await run(a, ["exists", "foo"]);
  await run(a, ["ttl", "foo"]);
  await run(a, ["object", "encoding", "foo"]);
  expect((await run(a, ["object", "idletime", "foo"])) as number).toBeGreaterThanOrEqual(2);
  expect(await run(a, ["touch", "foo", "nokey", "foo"])).toBe(2);
  expect((await run(a, ["object", "idletime", "foo"])) as number).toBeLessThan(2);
});

test("OBJECT ENCODING, REFCOUNT, FREQ, HELP and errors", async () => {
  await both(["flushall"]);
  await same([
    ["set", "int", "12345"], ["set", "neg", "-5"], ["set", "emb", "hello"], ["set", "raw", "x".repeat(45)], ["set", "e44", "x".repeat(44)],
    ["set", "lead0", "012"], ["set", "bigint", "99999999999999999999"], ["set", "i64", "9223372036854775807"], ["set", "space", " 1"],
    ["object", "encoding", "int"], ["object", "encoding", "neg"], ["object", "encoding", "emb"], ["object", "encoding", "raw"],
    ["object", "encoding", "e44"], ["object", "encoding", "lead0"], ["object", "encoding", "bigint"], ["object", "encoding", "i64"],
    ["object", "encoding", "space"], ["object", "encoding", "nokey"],
    ["set", "app", "12"], ["append", "app", "3"], ["object", "encoding", "app"],
    ["set", "s5", "5"], ["object", "refcount", "s5"], ["object", "refcount", "int"], ["object", "refcount", "neg"],
    ["object", "refcount", "emb"], ["object", "refcount", "nokey"], ["set", "s9999", "9999"], ["object", "refcount", "s9999"],
    ["object", "freq", "emb"], ["object", "freq", "nokey"], ["object", "help"], ["object", "foo"], ["object", "encoding"],
    ["object", "encoding", "a", "b"], ["object"], ["object", "help", "extra"],
  ]);
});

test("OBJECT FREQ under an LFU policy, IDLETIME refused", async () => {
  await run(a, ["config", "set", "maxmemory-policy", "allkeys-lfu"]);
  try {
    await run(a, ["set", "f", "v"]);
    expect(await run(a, ["object", "freq", "f"])).toBe(5);
    for (let i = 0; i < 200; i++) await run(a, ["get", "f"]);
    expect((await run(a, ["object", "freq", "f"])) as number).toBeGreaterThan(5);
    expect(String(await run(a, ["object", "idletime", "f"]))).toStartWith("ERR:ERR An LFU maxmemory policy is selected");
  } finally {
    await run(a, ["config", "set", "maxmemory-policy", "noeviction"]);
  }
});

test("binary keys through RENAME, COPY, MOVE, EXISTS, TYPE, OBJECT", async () => {
  await both(["flushall"]);
  const k1 = bin(0, 1, 2, 255, 13, 10);
  const k2 = bin(255, 0);
  const k3 = Buffer.from("\u00e9t\u00e9");
  await same([
    ["set", k1, bin(0, 0, 255)], ["rename", k1, k2], ["exists", k1, k2], ["type", k2], ["copy", k2, k3], ["get", k3],
    ["move", k3, "3"], ["select", "3"], ["get", k3], ["object", "encoding", k3], ["select", "0"], ["del", k2, k3],
  ]);
});

test("keyspace hits and misses are counted like Redis", async () => {
  const stats = async (r: Redis) => {
    const info = (await r.info("stats")) as string;
    const num = (name: string) => Number(info.match(new RegExp(`${name}:(\\d+)`))?.[1] ?? 0);
    return [num("keyspace_hits"), num("keyspace_misses")];
  };
  await both(["flushall"]);
  await both(["set", "k", "v"]);
  const cmds: Arg[][] = [
    ["exists", "k", "nokey", "k"], ["type", "k"], ["type", "nokey"], ["touch", "k", "nokey"], ["object", "encoding", "k"],
    ["object", "encoding", "nokey"], ["copy", "k", "k2"], ["copy", "nokey", "k3"], ["rename", "k2", "k4"], ["del", "k4", "nokey"],
    ["keys", "*"], ["scan", "0"], ["scan", "0", "type", "string"], ["randomkey"], ["move", "k", "1"], ["ttl", "k"], ["pttl", "nokey"],
    ["expire", "k", "100"], ["persist", "k"], ["expiretime", "k"],
  ];
  const a0 = await stats(a);
  const b0 = b ? await stats(b) : null;
  for (const cmd of cmds) await run(a, cmd);
  const a1 = await stats(a);
  if (b && b0) {
    for (const cmd of cmds) await run(b, cmd);
    const b1 = await stats(b);
    expect([a1[0] - a0[0], a1[1] - a0[1]]).toEqual([b1[0] - b0[0], b1[1] - b0[1]]);
  }
});

/** Keyspace-event notifications produced by `cmds` on one server. */
function events(srv: RunningServer, cmds: Arg[][]): Promise<string[]> {
  return notifications(srv, async (r) => {
    for (const cmd of cmds) await run(r, cmd);
  });
}

test("keyspace notifications of DEL, RENAME, COPY, MOVE match Redis", async () => {
  const cmds: Arg[][] = [
    ["flushall"], ["set", "a", "1"], ["del", "a", "nokey"], ["set", "a", "1"], ["unlink", "a"], ["set", "b", "1"], ["rename", "b", "c"],
    ["renamenx", "c", "d"], ["copy", "d", "e"], ["copy", "d", "e", "db", "2", "replace"], ["move", "e", "3"], ["exists", "zz"],
    ["set", "s", "1"], ["swapdb", "0", "1"],
  ];
  const got = await events(ts, cmds);
  if (ref) expect(got).toEqual(await events(ref, cmds));
  expect(got).toContain("__keyevent@0__:rename_from b");
  expect(got).toContain("__keyevent@3__:move_to e");
});
