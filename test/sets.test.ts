// Set commands (src/commands/sets.ts) side by side with the real redis-server: replies (as
// sets where Redis's hash order is arbitrary), errors, intset/hashtable encodings and their
// thresholds, the SPOP strategies, SSCAN cursors, keyspace notifications and RESP3 forms.

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

/**
 * Reply as plain data: bulk strings in latin1, errors as "ERR:<message>". Arrays of strings
 * are sorted: hashtable sets come back in an arbitrary order on both servers.
 */
async function run(r: Redis, cmd: Arg[]): Promise<unknown> {
  const norm = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString("latin1") : Array.isArray(v) ? v.map(norm) : v);
  try {
    const v = norm(await r.callBuffer(String(cmd[0]), ...cmd.slice(1)));
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? [...v].sort() : v;
  } catch (e) {
    return "ERR:" + (e as Error).message;
  }
}

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds, run);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

test("SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS", async () => {
  await both(["flushall"]);
  await same(
    words(`
      sadd s a b c
      sadd s a d
      scard s
      scard nokey
      sismember s a
      sismember s z
      sismember nokey a
      smismember s a z b
      smismember nokey a b
      smembers s
      smembers nokey
      srem s z
      srem s a b z
      srem nokey a
      srem s c d
      exists s
      sadd i 3 1 2
      srem i 1 x 9
      smembers i
      sadd s
      srem s
      smismember s
      set str x
      sadd str a
      srem str a
      scard str
      sismember str a
      smismember str a
      smembers str
    `),
  );
  // Intsets reply in ascending order, exactly like Redis.
  const order = async (r: Redis) => (await r.call("smembers", "i")) as string[];
  expect(await order(a)).toEqual(["2", "3"]);
  await same([["sadd", "bin", Buffer.from([0, 0x80, 0x9f, 0xff]), Buffer.from("x")], ["sismember", "bin", Buffer.from([0, 0x80, 0x9f, 0xff])], ["smembers", "bin"]]);
});

test("intset → hashtable: non-integers, int64 limits, set-max-intset-entries", async () => {
  await both(["flushall"]);
  try {
    await same(
      words(`
        sadd s 5 -9223372036854775808 9223372036854775807 0 -1
        object encoding s
        smembers s
        sismember s 9223372036854775807
        sismember s 9223372036854775808
        sismember s 05
        sadd s 9223372036854775808
        object encoding s
        sismember s 9223372036854775807
        sadd t 1 2 3 a
        object encoding t
        srem t a
        object encoding t
        sadd u 213244124402402314402033402
        object encoding u
        sadd v 007
        object encoding v
        config set set-max-intset-entries 4
        sadd w 1 2 3 4
        object encoding w
        sadd w 5
        object encoding w
        sadd x 1
        config set set-max-intset-entries 0
        sadd y 1
        object encoding y
      `),
    );
  } finally {
    await both(["config", "set", "set-max-intset-entries", "512"]);
  }
});

test("SINTER, SUNION, SDIFF, their STORE variants, SINTERCARD", async () => {
  await both(["flushall"]);
  await same(
    words(`
      sadd a x y z 1 2
      sadd b y z w 2
      sadd n1 1 2 3
      sadd n2 2 3 4
      sinter a b
      sinter a nokey
      sinter nokey a
      sunion a b nokey
      sdiff a b
      sdiff a b a
      sdiff nokey a
      sdiff a nokey
      sinter a a a
      sunion a a
      sdiff a a
      sintercard 2 a b
      sintercard 2 a b limit 1
      sintercard 2 a b limit 0
      sintercard 1 nokey limit 5
      sintercard 0 a
      sintercard -1 a
      sintercard x a
      sintercard 3 a b
      sintercard 1 a limit
      sintercard 1 a limit -1
      sintercard 1 a limit x
      sintercard 1 a b
      sinterstore d a b
      smembers d
      object encoding d
      sinterstore d n1 n2
      object encoding d
      sunionstore d n1 n2
      object encoding d
      smembers d
      sunionstore d a n1
      object encoding d
      sdiffstore d n1 n2
      smembers d
      object encoding d
      sdiffstore d a a
      exists d
      sadd d x
      sinterstore d a nokey
      exists d
      sadd d x
      expire d 100
      sunionstore d a
      ttl d
      set str x
      sinter a str
      sinter str nokey
      sinter nokey str
      sunion a str
      sdiff str a
      sdiff a str
      sintercard 2 a str
      sinterstore d2 nokey str
      exists d2
      sdiffstore str a
      type str
    `),
  );
  // Algorithm 2 of SDIFF (first set much smaller than the rest combined).
  const big: string[] = [];
  for (let i = 0; i < 300; i++) big.push(`m${i}`);
  await both(["sadd", "big", ...big]);
  await both(["sadd", "small", "m1", "m2", "zz"]);
  await same([["sdiff", "small", "big"], ["sdiff", "big", "small"], ["sinter", "small", "big"], ["sintercard", "2", "big", "small"]]);
});

test("SPOP and SRANDMEMBER: every strategy, errors, empty keys", async () => {
  await both(["flushall"]);
  await same(
    words(`
      spop nokey
      spop nokey 3
      spop nokey -1
      spop nokey x
      sadd s 1 2 3
      spop s 0
      spop s 1 2
      srandmember nokey
      srandmember nokey 3
      srandmember nokey -3
      srandmember s 0
      srandmember s -9223372036854775808
      srandmember s x
      srandmember s 1 2
      set str x
      spop str
      spop str 1
      srandmember str
      srandmember str 1
    `),
  );
  for (const kind of ["intset", "hashtable"]) {
    const members = Array.from({ length: 20 }, (_, i) => (kind === "intset" ? String(i + 1) : `m${i}`));
    for (const count of [1, 2, 18, 20, 30]) {
      await a.del("s");
      await a.sadd("s", ...members);
      const popped = (await a.spop("s", count)) as string[];
      expect(popped.length).toBe(Math.min(count, 20));
      expect(new Set(popped).size).toBe(popped.length);
      const left = await a.smembers("s");
      expect([...popped, ...left].sort()).toEqual([...members].sort());
      expect(await a.exists("s")).toBe(count >= 20 ? 0 : 1);
    }
    await a.del("s");
    await a.sadd("s", ...members);
    expect(await a.object("ENCODING", "s")).toBe(kind);
    const one = (await a.spop("s")) as string;
    expect(members).toContain(one);
    expect(await a.sismember("s", one)).toBe(0);
    for (const count of [5, 15, 19, 40]) {
      const got = (await a.srandmember("s", count)) as string[];
      expect(got.length).toBe(Math.min(count, 19));
      expect(new Set(got).size).toBe(got.length);
    }
    expect(((await a.srandmember("s", -50)) as string[]).length).toBe(50);
    expect(await a.scard("s")).toBe(19);
  }
  // SPOP keeping only integers out of a hashtable set rebuilds the survivors (setTypeCreate).
  await a.del("mixed");
  await a.sadd("mixed", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "1");
  const survivors = new Set<string>();
  for (let i = 0; i < 100 && !survivors.has("1"); i++) {
    await a.del("m2");
    await a.sadd("m2", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "1");
    await a.spop("m2", 10);
    const [last] = await a.smembers("m2");
    survivors.add(last);
    if (last === "1") expect(await a.object("ENCODING", "m2")).toBe("intset");
  }
});

test("SMOVE", async () => {
  await both(["flushall"]);
  await same(
    words(`
      sadd src 1 a b
      sadd dst 2 3
      smove src dst a
      object encoding dst
      smembers src
      smembers dst
      smove src dst nothere
      smove nokey dst a
      smove src fresh 1
      object encoding fresh
      smove src fresh2 b
      object encoding fresh2
      exists src
      smove dst dst 2
      smove dst dst 9
      sadd dst x
      smove dst fresh x
      smembers fresh
      set str x
      smove str dst a
      smove dst str 2
      smove nokey str a
      smove dst nokey2 3
      smove fresh fresh2 1
    `),
  );
});

test("SSCAN: intset in one call, hashtable cursors see every stable member exactly once", async () => {
  await both(["flushall"]);
  await same(
    words(`
      sadd small 1 2 3 10
      sscan small 0
      sscan small 0 match 1*
      sscan small 0 count 1
      sscan small 0 count 0
      sscan small 0 count x
      sscan small 0 type set
      sscan small x
      sscan nokey 0
      set str x
      sscan str 0
    `),
  );
  // Redis issue #4906: remove most of a big set in the middle of a scan.
  for (let round = 0; round < 5; round++) {
    await a.del("set");
    await a.sadd("set", "x");
    const n = 101 + Math.floor(Math.random() * 1000);
    const all: string[] = [];
    for (let j = 0; j < n; j++) all.push(String(j));
    await a.sadd("set", ...all);
    const seen = new Map<string, number>();
    let cursor = "0";
    let iteration = 0;
    const delAt = Math.floor(Math.random() * 10);
    do {
      const [next, items] = (await a.sscan("set", cursor)) as [string, string[]];
      for (const m of items) seen.set(m, (seen.get(m) ?? 0) + 1);
      iteration++;
      if (iteration === delAt) await a.srem("set", ...all.slice(100));
      cursor = next;
    } while (cursor !== "0");
    for (let j = 0; j < 100; j++) expect(seen.get(String(j))).toBe(1);
  }
});

test("keyspace notifications: sadd, srem, spop, smove, *store, del, new", async () => {
  const script = async (r: Redis) => {
    await r.flushall();
    for (const cmd of words(`
      sadd s 1 2 3
      sadd s 1
      srem s 9
      srem s 1
      sadd t a b
      smove s t 2
      smove s t 3
      smove t t a
      smove t u a
      smove nokey t a
      sadd x 1
      smove x u 1
      sinterstore d t u
      sunionstore d t u
      sdiffstore d t u
      sdiffstore d t t
      sinterstore d nokey t
      sadd p 1
      spop p
      sadd p 1 2 3
      spop p 0
      spop p 10
      smembers nokey
      sismember nokey a
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  const got = await notifications(ts, script);
  expect(got).toContain("__keyevent@0__:sunionstore d");
  if (ref) expect(got).toEqual(await notifications(ref, script));
});

test("RESP3 shapes: sets for SMEMBERS/SINTER/SUNION/SDIFF/SPOP count, arrays elsewhere", async () => {
  const cmds = words(`
    flushall
    sadd s 1 2
    smembers s
    smembers nokey
    sinter s s
    sinter s nokey
    sunion s
    sdiff s
    spop s 0
    spop nokey 1
    srandmember s 5
    srandmember s 0
    srandmember nokey 1
    srandmember nokey
    spop nokey
    sscan s 0
    sintercard 1 s
    smismember s 1 3
    spop s 5
  `);
  const got = await resp3(ts.port, cmds);
  expect(got[2]).toBe("~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  if (ref) expect(got).toEqual(await resp3(ref.port, cmds));
});

test("COPY duplicates a set with its encoding", async () => {
  await both(["flushall"]);
  await same(
    words(`
      sadd s 1 2 3
      copy s s2
      sadd s2 4
      scard s
      object encoding s2
      sadd h a b
      copy h h2
      srem h2 a
      scard h
      object encoding h2
    `),
  );
});
