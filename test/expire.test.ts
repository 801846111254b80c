// Expiry commands (src/commands/expire.ts) side by side with the real redis-server.

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

/** Run each command on both servers and require identical replies. */
async function same(cmds: Arg[][]): Promise<void> {
  for (const cmd of cmds) {
    const got = await run(a, cmd);
    if (b) expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: await run(b, cmd) });
  }
}

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

const nowSec = () => Math.floor(Date.now() / 1000);

test("EXPIRE family: replies, NX/XX/GT/LT, option errors", async () => {
  await both(["flushall"]);
  await same([
    ["expire", "nokey", "100"], ["pexpire", "nokey", "100"], ["expireat", "nokey", "100"], ["pexpireat", "nokey", "100"],
    ["set", "k", "v"], ["expire", "k", "200", "xx"], ["expire", "k", "200", "gt"], ["expire", "k", "200", "lt"], ["ttl", "k"],
    ["expire", "k", "100", "nx"], ["expire", "k", "300", "nx"], ["expire", "k", "50", "gt"], ["expire", "k", "300", "GT"], ["ttl", "k"],
    ["expire", "k", "400", "lt"], ["expire", "k", "100", "LT", "xx"], ["ttl", "k"], ["expire", "k", "100", "lt", "gt"],
    ["expire", "k", "100", "nx", "xx"], ["expire", "k", "100", "nx", "gt"], ["expire", "k", "100", "nx", "lt"], ["expire", "k", "100", "ab"],
    ["expire", "k", "100", "xx", "ab"], ["expire", "k", "abc", "foo"], ["expire", "k", "abc"], ["expire", "k", ""], ["expire", "k", "1.5"],
    ["expire", "k"], ["expire", "nokey", "100", "nx"], ["expire", "nokey", "100", "xx"], ["expire", "nokey", "100", "gt"],
    ["expire", "nokey", "100", "lt"], ["expire", "k", "100", "nx", "nx"], ["ttl", "k"],
  ]);
});

test("EXPIRE overflow checks use Redis's errors and leave the key alone", async () => {
  await both(["flushall"]);
  await same([
    ["set", "foo", "bar"],
    ["expire", "foo", "9223370399119966"], ["expire", "foo", "9223372036854776"], ["expire", "foo", "10000000000000000"],
    ["expire", "foo", "18446744073709561"], ["expire", "foo", "-9223372036854776"], ["expire", "foo", "-9999999999999999"],
    ["pexpire", "foo", "9223372036854770000"], ["expireat", "foo", "9223372036854776"], ["pexpire", "foo", "9223372036854775808"],
    ["ttl", "foo"], ["pexpireat", "foo", "9223372036854770000"], ["set", "foo", "bar"], ["pexpireat", "foo", "-9223372036854770000"],
    ["ttl", "foo"], ["exists", "foo"],
  ]);
});

test("an expire in the past deletes the key; negative TTLs too", async () => {
  await both(["flushall"]);
  await same([
    ["set", "a", "1"], ["expire", "a", "-10"], ["exists", "a"], ["set", "b", "1"], ["pexpire", "b", "0"], ["exists", "b"],
    ["set", "c", "1"], ["expireat", "c", String(nowSec() - 100)], ["exists", "c"], ["set", "d", "1", "ex", "100"],
    ["expire", "d", "-10", "lt"], ["ttl", "d"], ["set", "e", "1"], ["expire", "e", "-10", "lt"], ["ttl", "e"],
    ["set", "f", "1"], ["expire", "f", "-10", "gt"], ["ttl", "f"],
  ]);
});

test("TTL, PTTL, EXPIRETIME, PEXPIRETIME", async () => {
  await both(["flushall"]);
  await same([["ttl", "x"], ["pttl", "x"], ["expiretime", "x"], ["pexpiretime", "x"], ["set", "x", "v"], ["ttl", "x"], ["pttl", "x"], ["expiretime", "x"], ["pexpiretime", "x"]]);
  const abs = nowSec() + 100;
  await run(a, ["set", "s", "v", "exat", abs]);
  expect(await run(a, ["expiretime", "s"])).toBe(abs);
  expect(await run(a, ["pexpiretime", "s"])).toBe(abs * 1000);
  const ms = Date.now() + 100000;
  await run(a, ["pexpireat", "p", ms]);
  await run(a, ["set", "p", "v"]);
  await run(a, ["pexpireat", "p", ms]);
  expect(await run(a, ["pexpiretime", "p"])).toBe(ms);
  expect(await run(a, ["expiretime", "p"])).toBe(Math.floor((ms + 500) / 1000));
  await run(a, ["setex", "t", "10", "v"]);
  const t = (await run(a, ["ttl", "t"])) as number;
  expect(t > 8 && t <= 10).toBe(true);
  await run(a, ["setex", "t", "1", "v"]);
  const pt = (await run(a, ["pttl", "t"])) as number;
  expect(pt > 900 && pt <= 1000).toBe(true);
  await run(a, ["expire", "t", "100"]);
  await run(a, ["expire", "t", "10"]);
  expect(await run(a, ["ttl", "t"])).toBe(10);
});

test("PERSIST", async () => {
  await both(["flushall"]);
  await same([["persist", "nokey"], ["set", "x", "foo"], ["persist", "x"], ["expire", "x", "50"], ["persist", "x"], ["ttl", "x"], ["get", "x"], ["persist", "x"]]);
});

test("expired keys are gone for EXPIRE, PERSIST and TTL (no resurrection)", async () => {
  await both(["flushall"]);
  await run(a, ["debug", "set-active-expire", "0"]);
  try {
    await both(["set", "foo", "bar"]);
    await both(["pexpire", "foo", "50"]);
    await both(["set", "bar", "x", "px", "50"]);
    await both(["set", "baz", "x", "px", "50"]);
    await Bun.sleep(120);
    await same([["expire", "foo", "10"], ["exists", "foo"], ["persist", "bar"], ["ttl", "baz"], ["dbsize"]]);
  } finally {
    await run(a, ["debug", "set-active-expire", "1"]);
  }
});

test("sub-second expires", async () => {
  await run(a, ["set", "x", "somevalue"]);
  await run(a, ["pexpire", "x", "100"]);
  expect(await run(a, ["get", "x"])).toBe("somevalue");
  await Bun.sleep(150);
  expect(await run(a, ["get", "x"])).toBeNull();
  await run(a, ["set", "y", "v"]);
  await run(a, ["pexpireat", "y", Date.now() + 100]);
  expect(await run(a, ["exists", "y"])).toBe(1);
  await Bun.sleep(150);
  expect(await run(a, ["exists", "y"])).toBe(0);
});

test("active expiry removes volatile keys", async () => {
  await run(a, ["flushdb"]);
  for (let i = 0; i < 3; i++) await run(a, ["psetex", `key${i}`, "300", "a"]);
  expect(await run(a, ["dbsize"])).toBe(3);
  const deadline = Date.now() + 3000;
  while ((await run(a, ["dbsize"])) !== 0 && Date.now() < deadline) await Bun.sleep(100);
  expect(await run(a, ["dbsize"])).toBe(0);
});

test("binary keys", async () => {
  await both(["flushall"]);
  const k = Buffer.from([0, 255, 13, 10, 0]);
  await same([["set", k, "v"], ["expire", k, "100"], ["ttl", k], ["persist", k], ["ttl", k], ["pexpire", k, "-1"], ["exists", k]]);
});

/** Keyspace-event notifications produced by `cmds` on one server. */
function events(srv: RunningServer, cmds: Arg[][]): Promise<string[]> {
  return notifications(srv, async (r) => {
    for (const cmd of cmds) {
      // "sleep" lets wall time pass so keys reach their expiry.
      if (cmd[0] === "sleep") await Bun.sleep(Number(cmd[1]));
      else await run(r, cmd);
    }
  });
}

test("keyspace notifications: expire, persist, del, expired", async () => {
  const cmds: Arg[][] = [
    ["flushall"], ["set", "c", "1"], ["expire", "c", "100"], ["expire", "c", "100", "nx"], ["persist", "c"], ["persist", "c"],
    ["expire", "c", "-1"], ["set", "e", "1"], ["pexpireat", "e", "1"], ["expire", "nokey", "10"], ["set", "f", "1", "px", "1"], ["sleep", 10], ["get", "f"],
  ];
  const got = await events(ts, cmds);
  if (ref) expect(got).toEqual(await events(ref, cmds));
  expect(got).toContain("__keyevent@0__:persist c");
  expect(got).toContain("__keyevent@0__:expired f");
});

test("keyspace hits and misses of TTL commands", async () => {
  const stats = async (r: Redis) => {
    const info = (await r.info("stats")) as string;
    return ["keyspace_hits", "keyspace_misses"].map((n) => Number(info.match(new RegExp(`${n}:(\\d+)`))?.[1] ?? 0));
  };
  await both(["flushall"]);
  await both(["set", "k", "v"]);
  const cmds: Arg[][] = [["ttl", "k"], ["pttl", "nokey"], ["expiretime", "k"], ["pexpiretime", "nokey"], ["expire", "k", "10"], ["persist", "k"], ["expire", "nokey", "1"]];
  const a0 = await stats(a);
  for (const cmd of cmds) await run(a, cmd);
  const a1 = await stats(a);
  expect([a1[0] - a0[0], a1[1] - a0[1]]).toEqual([2, 2]);
  if (b) {
    const b0 = await stats(b);
    for (const cmd of cmds) await run(b, cmd);
    const b1 = await stats(b);
    expect([b1[0] - b0[0], b1[1] - b0[1]]).toEqual([2, 2]);
  }
});

test("effects are propagated as absolute PEXPIREAT, DEL for past times, DEL for lazy expiry", async () => {
  const { Config } = await import("../src/config/config.ts");
  const { Shard } = await import("../src/server/shard.ts");
  const { Client } = await import("../src/server/client.ts");
  const { processCommand } = await import("../src/server/dispatch.ts");
  await import("../src/commands/index.ts");
  const shard = new Shard(0, 1, new Config(), "0".repeat(40), new Int32Array(new SharedArrayBuffer(4)));
  const dec = new TextDecoder();
  const log: string[] = [];
  shard.propagators.push((_db, argv) => log.push(argv.map((x) => dec.decode(x)).join(" ")));
  const c = new Client(shard, 1);
  const send = (...args: string[]): string => {
    processCommand(c, args.map((s) => new TextEncoder().encode(s)));
    const reply = dec.decode(c.out.buf.subarray(0, c.out.len));
    c.out.reset();
    return reply;
  };
  const expected: (string | RegExp)[] = [];
  const expectProp = (...items: (string | RegExp)[]) => expected.push(...items);

  send("set", "k", "v");
  expectProp("set k v");
  const before = Date.now();
  expect(send("expire", "k", "100")).toBe(":1\r\n");
  expectProp(/^PEXPIREAT k \d+$/);
  expect(send("pexpire", "k", "200000", "gt")).toBe(":1\r\n");
  expectProp(/^PEXPIREAT k \d+ gt$/);
  expect(send("expireat", "k", "4000000000")).toBe(":1\r\n");
  expectProp("PEXPIREAT k 4000000000000");
  expect(send("pexpireat", "k", "4000000000001")).toBe(":1\r\n");
  expectProp("pexpireat k 4000000000001");
  expect(send("expire", "k", "10", "nx")).toBe(":0\r\n");
  expect(send("persist", "k")).toBe(":1\r\n");
  expectProp("persist k");
  expect(send("expire", "nokey", "10")).toBe(":0\r\n");
  expect(send("expire", "k", "-1")).toBe(":1\r\n");
  expectProp("DEL k");
  // Lazy expiry found by SCAN / RANDOMKEY / DEL propagates one DEL per key, not the command.
  for (const k of ["a", "b"]) send("set", k, "v", "px", "1");
  expectProp(/^SET a v PXAT \d+$/, /^SET b v PXAT \d+$/);
  await Bun.sleep(20);
  send("scan", "0");
  expectProp(/^DEL [ab]$/, /^DEL [ab]$/);
  send("set", "r", "v", "px", "1");
  expectProp(/^SET r v PXAT \d+$/);
  await Bun.sleep(20);
  expect(send("randomkey")).toBe("$-1\r\n");
  expectProp("DEL r");
  send("set", "d", "v", "px", "1");
  expectProp(/^SET d v PXAT \d+$/);
  await Bun.sleep(20);
  expect(send("del", "d")).toBe(":0\r\n");
  expectProp("DEL d");

  expect(log.length).toBe(expected.length);
  log.forEach((line, i) => {
    const want = expected[i];
    if (typeof want === "string") expect(line).toBe(want);
    else expect(line).toMatch(want);
  });
  expect(log.filter((l) => /^DEL [ab]$/.test(l)).sort()).toEqual(["DEL a", "DEL b"]);
  const at = Number(log[1].split(" ")[2]);
  expect(at).toBeGreaterThanOrEqual(before + 100000);
  expect(at).toBeLessThanOrEqual(Date.now() + 100000);
});
