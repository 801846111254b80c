// Hash commands (src/commands/hashes.ts) side by side with the real redis-server: replies,
// errors, encodings and their conversion thresholds, HSCAN cursors, HRANDFIELD shapes,
// keyspace notifications and RESP3 forms.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, notifications, onBoth, resp3, sameReplies, startPair, stopPair, words } from "./helpers/compare.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

/** Field/value pairs of a flat HGETALL-style reply, sorted (hashtable order is arbitrary). */
function pairs(reply: unknown): string[][] {
  const l = reply as string[];
  const out: string[][] = [];
  for (let i = 0; i < l.length; i += 2) out.push([l[i], l[i + 1]]);
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

test("HSET, HGET, HMGET, HSETNX, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL", async () => {
  await both(["flushall"]);
  await same(
    words(`
      hset h a 1 b 2 c
      hset h a 1 b 2
      hset h a 3 c 4
      hmset h d 5
      hmset h d
      hget h a
      hget h nofield
      hget nokey a
      hmget h a nofield b
      hmget nokey a b
      hsetnx h a 9
      hsetnx h e 9
      hsetnx fresh f v
      hlen h
      hlen nokey
      hstrlen h a
      hstrlen h nofield
      hstrlen nokey a
      hexists h a
      hexists h nofield
      hexists nokey a
      hkeys h
      hvals h
      hgetall h
      hkeys nokey
      hvals nokey
      hgetall nokey
      hdel h nofield
      hdel h a nofield b
      hdel nokey a
      hdel h c d e
      exists h
      hset h a
      hget h
      hdel h
      hsetnx h a
      set str x
      hset str a 1
      hget str a
      hmget str a
      hgetall str
      hdel str a
      hlen str
    `),
  );
  await same([
    ["hset", "bin", Buffer.from([0, 0x80, 0x9f, 0xff]), Buffer.from([13, 10, 0])],
    ["hgetall", "bin"],
    ["hstrlen", "bin", Buffer.from([0, 0x80, 0x9f, 0xff])],
  ]);
});

test("listpack → hashtable by entries and by value size; never back", async () => {
  await both(["flushall"]);
  await both(["config", "set", "hash-max-listpack-entries", "4"]);
  await both(["config", "set", "hash-max-listpack-value", "8"]);
  try {
    await same(
      words(`
        hset h a 1 b 2 c 3 d 4
        object encoding h
        hset h e 5
        object encoding h
        hdel h a b c d e
        hset h a 1
        object encoding h
        hset v f 12345678
        object encoding v
        hset v f 123456789
        object encoding v
        hset k 123456789 x
        object encoding k
        hset w a 1 b 2
        hset w c 1 d 123456789
        object encoding w
        hsetnx s f 123456789
        object encoding s
        hincrbyfloat fl tmp 0.000005
        object encoding fl
        hincrbyfloat fl2 tmp 0.0000005
        object encoding fl2
        hincrby n abcdefghi 1
        object encoding n
        hset ht k v
        config set hash-max-ziplist-entries 0
        hset ht k2 v
        object encoding ht
      `),
    );
    // A hashtable with binary fields keeps every byte (0x80-0x9f included).
    const field = Buffer.from([0x80, 0x81, 0x8d, 0x9f, 0xa0, 0xff]);
    await same([["hset", "bin", field, "v", "long-value-beyond-limit", "w"], ["object", "encoding", "bin"], ["hget", "bin", field]]);
    const keys = (await a.hkeysBuffer("bin")).map((k) => k.toString("hex")).sort();
    expect(keys).toEqual([field.toString("hex"), Buffer.from("long-value-beyond-limit").toString("hex")].sort());
  } finally {
    await both(["config", "set", "hash-max-listpack-entries", "128"]);
    await both(["config", "set", "hash-max-listpack-value", "64"]);
  }
});

test("HINCRBY and HINCRBYFLOAT: limits, parsing, formatting", async () => {
  await both(["flushall"]);
  await same(
    words(`
      hincrby h n 5
      hincrby h n -10
      hincrby h n x
      hincrby h n 1.5
      hset h big 9223372036854775807
      hincrby h big 1
      hset h neg -9223372036854775484
      hincrby h neg -1
      hincrby h neg -10000
      hset h s abc
      hincrby h s 1
      hset h sp " 11"
      hincrby h sp 1
      hincrbyfloat h sp 1
      hincrbyfloat h s 1
      hincrbyfloat h f 1.5
      hincrbyfloat h f 0.1
      hincrbyfloat h f abc
      hincrbyfloat h f inf
      hincrbyfloat h f -inf
      hincrbyfloat h f nan
      hincrbyfloat h f2 0.0000005
      hincrbyfloat h f3 1e-20
      hincrbyfloat h f4 1e20
      hincrbyfloat h f7 0x10
      hincrbyfloat h f8 1.23
      hincrbyfloat h f8 0.77
      hincrbyfloat h f8 -0.1
      hincrbyfloat h n 2.5
      hincrbyfloat h big 1
      hset h inf inf
      hincrbyfloat h inf 1
      hincrbyfloat nohash f +inf
      exists nohash
      set str x
      hincrby str f 1
      hincrbyfloat str f 1
      hgetall h
    `),
  );
  await same([["hset", "h", "nul", "1\x002"], ["hincrbyfloat", "h", "nul", "1"]]);
});

test("HSCAN: listpack in one call, hashtable cursors see every stable field exactly once", async () => {
  await both(["flushall"]);
  await same(
    words(`
      hset small a 1 b 2 c 3 foo 4
      hscan small 0
      hscan small 0 match f*
      hscan small 0 count 1
      hscan small 0 count 0
      hscan small 0 count x
      hscan small 0 type string
      hscan small 0 match
      hscan small x
      hscan small -1
      hscan nokey 0
      hscan nokey 0 count 0
      set str x
      hscan str 0
    `),
  );
  const n = 1000;
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
  await a.hset("big", ...args);
  expect(await a.object("ENCODING", "big")).toBe("hashtable");
  const seen = new Map<string, number>();
  let cursor = "0";
  let rounds = 0;
  do {
    const [next, items] = (await a.hscan("big", cursor, "COUNT", 50)) as [string, string[]];
    for (let i = 0; i < items.length; i += 2) {
      if (items[i].startsWith("f")) expect(items[i + 1]).toBe("v" + items[i].slice(1));
      seen.set(items[i], (seen.get(items[i]) ?? 0) + 1);
    }
    // Churn while scanning: delete most fields, add new ones.
    if (rounds === 3) {
      const del: string[] = [];
      for (let i = 100; i < n; i++) del.push(`f${i}`);
      await a.hdel("big", ...del);
      await a.hset("big", "extra1", "x", "extra2", "y");
    }
    cursor = next;
    rounds++;
  } while (cursor !== "0");
  for (let i = 0; i < 100; i++) expect(seen.get(`f${i}`)).toBe(1);
  const [, matched] = (await a.hscan("big", "0", "MATCH", "f1?", "COUNT", 10000)) as [string, string[]];
  expect(pairs(matched).map((p) => p[0])).toEqual(Array.from({ length: 10 }, (_, i) => `f1${i}`));
});

test("HRANDFIELD: counts, uniqueness, WITHVALUES, errors", async () => {
  await both(["flushall"]);
  await same(
    words(`
      hrandfield nokey
      hrandfield nokey 5
      hrandfield nokey -5 withvalues
      hset h a 1
      hrandfield h 0
      hrandfield h 5 withvalue
      hrandfield h 5 withvalues x
      hrandfield h -9223372036854775808
      hrandfield h 9223372036854775807 withvalues
      hrandfield h -4611686018427387904 withvalues
      hrandfield h x
      set str x
      hrandfield str
      hrandfield str 1
    `),
  );
  for (const big of [false, true]) {
    await a.del("h");
    const fields: string[] = [];
    for (let i = 0; i < 10; i++) fields.push(`f${i}`, big ? `${"x".repeat(100)}${i}` : `v${i}`);
    await a.hset("h", ...fields);
    expect(await a.object("ENCODING", "h")).toBe(big ? "hashtable" : "listpack");
    const [names, values] = [await a.hkeys("h"), await a.hvals("h")];
    const all = pairs(names.flatMap((f, i) => [f, values[i]]));
    for (const count of [2, 8, 10, 20]) {
      const got = (await a.hrandfield("h", count)) as string[];
      expect(got.length).toBe(Math.min(count, 10));
      expect(new Set(got).size).toBe(got.length);
      const withValues = pairs(await a.hrandfield("h", count, "WITHVALUES"));
      expect(withValues.length).toBe(Math.min(count, 10));
      for (const p of withValues) expect(all).toContainEqual(p);
    }
    const repeated = (await a.hrandfield("h", -50)) as string[];
    expect(repeated.length).toBe(50);
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 10; i++) for (const f of (await a.hrandfield("h", -5)) as string[]) seen.add(f);
    expect(seen.size).toBe(10);
    expect(all.map((p) => p[0])).toContain((await a.hrandfield("h")) as string);
  }
});

test("keyspace notifications: new, hset, hdel, del, hincrby, hincrbyfloat, keymiss", async () => {
  const script = async (r: Redis) => {
    await r.flushall();
    for (const cmd of words(`
      hset h a 1 b 2
      hmset h c 3
      hsetnx h a 1
      hsetnx h d 4
      hdel h nofield
      hdel h a b
      hincrby h n 1
      hincrbyfloat h f 1.5
      hdel h c d n f
      hget nokey a
      hgetall nokey
      hincrby h2 n x
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  const got = await notifications(ts, script);
  expect(got).toContain("__keyevent@0__:hincrbyfloat h");
  if (ref) expect(got).toEqual(await notifications(ref, script));
});

test("RESP3 shapes: HGETALL map, HRANDFIELD WITHVALUES pairs, HSCAN", async () => {
  const cmds = words(`
    flushall
    hset h a 1
    hgetall h
    hgetall nokey
    hkeys h
    hrandfield h 2 withvalues
    hrandfield h -2 withvalues
    hrandfield h 1 withvalues
    hrandfield h 2
    hrandfield h
    hrandfield nokey
    hget h nofield
    hmget h a nofield
    hscan h 0
    hscan nokey 0
  `);
  const got = await resp3(ts.port, cmds);
  expect(got[2]).toBe("%1\r\n$1\r\na\r\n$1\r\n1\r\n");
  expect(got[5]).toBe("*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  if (ref) expect(got).toEqual(await resp3(ref.port, cmds));
});

test("COPY duplicates a hash with its encoding", async () => {
  await both(["flushall"]);
  await same(
    words(`
      hset h a 1 b 2
      copy h h2
      hset h2 c 3
      hlen h
      object encoding h2
      hset big f ${"x".repeat(100)}
      copy big big2
      hdel big2 f
      hlen big
      object encoding big
    `),
  );
});
