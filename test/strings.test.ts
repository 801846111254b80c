// String commands (src/commands/strings.ts) side by side with the real redis-server: replies,
// errors, keyspace hits/misses, keyspace notifications and RESP3 shapes must be identical.

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

/** Whether the tsredis build has a command (list/set types land in other modules). */
async function hasCommand(name: string): Promise<boolean> {
  const info = (await a.call("command", "info", name)) as unknown[];
  return info[0] !== null;
}

test("GET, SET and its options, SETNX, SETEX, PSETEX", async () => {
  await both(["flushall"]);
  await same(
    words(`
      get nokey
      set foo bar
      get foo
      set foo bar2 get
      set foo bar3 nx get
      set nx1 v nx get
      get nx1
      set foo x xx
      set newk x xx
      exists newk
      set foo 1 ex 0
      set foo 1 ex -5
      set foo 1 ex abc
      set foo 1 ex 10 px 100
      set foo 1 keepttl ex 10
      set foo 1 ex 10 keepttl
      set foo 1 ex 9223372036854775
      set foo 1 px 9223372036854775807
      set foo 1 pxat 9223372036854775807
      set foo 1 exat 9223372036854775
      set foo 1 nx xx
      set foo 1 bad
      set foo 1 ex
      set foo 1 GET GET
      set foo v ex 100 ex 200
      ttl foo
      set foo v keepttl
      ttl foo
      set foo v
      ttl foo
      set foo v px 100000
      set foo w xx keepttl get
      get foo
      setnx foo 1
      setnx sn 1
      get sn
      setex se 0 v
      setex se abc v
      setex se 100 v
      ttl se
      psetex pse 0 v
      psetex pse 100000 v
      set past v pxat 1
      exists past
      set past v exat 1 get
      get past
      set
      setnx a
      setex a 1
    `),
  );
  const pttl = (await a.pttl("pse")) as number;
  expect(pttl).toBeGreaterThan(90000);
  expect(pttl).toBeLessThanOrEqual(100000);
});

test("GETEX, GETDEL, GETSET", async () => {
  await both(["flushall"]);
  await same(
    words(`
      set foo bar
      getex foo
      ttl foo
      getex foo bad
      getex foo ex 0
      getex foo nx
      getex foo keepttl
      getex nokey ex 0
      getex nokey ex 10
      getex foo ex 100
      ttl foo
      getex foo persist
      ttl foo
      getex foo persist ex 10
      getex foo ex 10 persist
      getex foo px 50000 px 60000
      getex foo exat 9999999999
      ttl foo
      getex foo pxat 1
      exists foo
      getdel nokey
      set gd v
      getdel gd
      getdel gd
      getset gs1 a
      getset gs1 b
      get gs1
      set gs2 v ex 100
      getset gs2 w
      ttl gs2
      getex
      getdel
      getset a
    `),
  );
  const ttl = (await a.ttl("foo")) as number;
  expect(ttl).toBe(-2);
});

test("MGET, MSET, MSETNX", async () => {
  await both(["flushall"]);
  await same(
    words(`
      mset a 1 b 2 c
      mset a 1 b 2
      mget a b nokey a
      msetnx a 1 z 2
      exists z
      msetnx y 1 z 2
      msetnx y2 1 y2 2
      get y2
      msetnx y3 1 y3
      mget a b y z y2
      mget
      mset a
    `),
  );
  await same([["mset", "bin", Buffer.from([0, 255, 13, 10]), "empty", ""], ["mget", "bin", "empty"]]);
});

test("INCR, DECR, INCRBY, DECRBY: int64 limits and strict parsing", async () => {
  await both(["flushall"]);
  await same(
    words(`
      incr n
      incr n
      decr n
      incrby n 100
      decrby n 50
      incrby n abc
      incrby n 1.5
      incrby n +1
      decrby n -9223372036854775808
      decrby n 9223372036854775807
      set n 9223372036854775806
      incr n
      incr n
      get n
      set n -9223372036854775807
      decr n
      decr n
      set n 17179869184
      incrby n 17179869184
      decrby n 34359738369
      set n 9007199254740991
      incr n
      incrby n 9007199254740991
      decrby n 18014398509481982
      decr n
      set n 01
      incr n
      set n -0
      incr n
      set n +1
      incr n
      set n 1.0
      incr n
      set n 10
      expire n 100
      incr n
      ttl n
      incrby n 9223372036854775808
    `),
  );
  await same([["set", "n", " 1"], ["incr", "n"], ["set", "n", "1 "], ["incr", "n"]]);
});

test("INCRBYFLOAT: human-friendly formatting and errors", async () => {
  await both(["flushall"]);
  await same(
    words(`
      incrbyfloat f 1.5
      incrbyfloat f 0.1
      incrbyfloat f -1.6
      get f
      incrbyfloat f abc
      incrbyfloat f inf
      incrbyfloat f -inf
      incrbyfloat f nan
      incrbyfloat big 1e20
      incrbyfloat big 1.5e21
      incrbyfloat small 5.0e-10
      incrbyfloat tiny 1e-20
      incrbyfloat tiny -1e-20
      incrbyfloat e3 3.0e3
      incrbyfloat hex 0x10
      set d 0.1
      incrbyfloat d 0.2
      set i 17179869184
      incrbyfloat i 1.5
      set i 17179869184
      incrbyfloat i 17179869184
      set z 1
      incrbyfloat z -1.1
      set zero 0
      incrbyfloat zero 0.024390243902439025
      incrbyfloat zero -0.024390243902439025
      set e 1e5
      incrbyfloat e 0
      set t 5
      expire t 100
      incrbyfloat t 1
      ttl t
      set s 1.5x
      incrbyfloat s 1
      set j 1
      incrbyfloat j -1.1
      incrbyfloat k 0x1.8p3
      incrbyfloat k 1e4000
      incrbyfloat k 1e5000
      incrbyfloat k 1e-4000
      incrbyfloat k 1e-5000
      incrbyfloat x 123456789.123456789
      incrbyfloat y 0.000000000000000015
      incrbyfloat y 1.7976931348623157e308
      incrbyfloat y 1e308
      incrbyfloat z .5
      incrbyfloat z 5.
      incrbyfloat z -0
      incrbyfloat z +.5e1
      incrbyfloat z 1e
      incrbyfloat z .
      incrbyfloat z -INFINITY
    `),
  );
  await same([["set", "sp", " 11"], ["incrbyfloat", "sp", "1"], ["incrbyfloat", "sp2", " 1"], ["set", "nul", Buffer.from("1\x002")], ["incrbyfloat", "nul", "1"]]);
});

test("INCRBYFLOAT: random operands give Redis's exact long double results", async () => {
  await both(["flushall"]);
  let seed = 12345;
  const rand = () => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const operand = (): string => {
    const sign = rand() < 0.4 ? "-" : "";
    const r = rand();
    if (r < 0.3) return sign + (rand() * 10 ** Math.floor(rand() * 30 - 15)).toString();
    if (r < 0.6) return sign + Math.floor(rand() * 1e6) + "." + String(Math.floor(rand() * 1e9)).padStart(9, "0");
    if (r < 0.8) return sign + (rand() * 10).toFixed(Math.floor(rand() * 25)) + "e" + Math.floor(rand() * 60 - 30);
    return sign + String(Math.floor(rand() * 2 ** 53));
  };
  const cmds: Arg[][] = [];
  for (let i = 0; i < 400; i++) cmds.push(rand() < 0.1 ? ["set", "f" + (i % 5), operand()] : ["incrbyfloat", "f" + (i % 5), operand()]);
  await same(cmds);
});

test("APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE", async () => {
  await both(["flushall"]);
  await same(
    words(`
      append ap hello
      append ap _world
      get ap
      strlen ap
      strlen nokey
      set int -555
      strlen int
      append int 1
      get int
      set r Hello_World
      getrange r 0 3
      getrange r -4 -1
      getrange r 5 3
      getrange r -1 -5
      getrange r 0 -1
      getrange r 5 5000
      getrange r -5000 10000
      getrange r 0 4294967297
      getrange r -9223372036854775808 -9223372036854775807
      getrange r 9223372036854775807 -9223372036854775808
      getrange nokey 0 -1
      getrange r a 1
      getrange r 1 a
      substr r 0 3
      set num 1234
      getrange num -3 -1
      setrange sr 5 x
      get sr
      setrange sr -1 x
      setrange sr a x
      setrange sr 0 ""
      setrange nos 0 ""
      exists nos
      setrange r 0 J
      get r
      setrange r 11 !!
      get r
      setrange r 536870911 ab
      setrange nor 536870912 a
      setrange r 9223372036854775807 x
      set foo bar
      getrange foo 0 4294967297
    `),
  );
});

test("string values and encodings stay byte exact", async () => {
  await both(["flushall"]);
  const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await same([
    ["set", "bin", bin],
    ["get", "bin"],
    ["append", "bin", bin],
    ["strlen", "bin"],
    ["getrange", "bin", 250, 260],
    ["setrange", "bin", 1000, bin],
    ["get", "bin"],
  ]);
  if (!(await hasCommand("object"))) return;
  await same(
    words(`
      set i 123
      object encoding i
      append i 4
      object encoding i
      set j 123
      append j ""
      object encoding j
      append k 123
      object encoding k
      set l 1234
      setrange l 0 ""
      object encoding l
      setrange l 0 5
      object encoding l
      setrange m 0 12
      object encoding m
      incr n
      object encoding n
      incrbyfloat o 1.5
      object encoding o
      set p 99
      incrby p 1
      object encoding p
      getset q 100
      object encoding q
      set r 9223372036854775808
      object encoding r
    `),
  );
});

test("big values: 32 MB SET/GET and growing by APPEND/SETRANGE", async () => {
  await both(["flushall"]);
  const big = Buffer.alloc(32 * 1024 * 1024, "abcd");
  expect(await a.set("big", big)).toBe("OK");
  expect((await a.getBuffer("big"))!.equals(big)).toBe(true);
  expect(await a.append("big", "tail")).toBe(big.length + 4);
  expect(await a.setrange("big", big.length + 10, "end")).toBe(big.length + 13);
  const got = (await a.getrangeBuffer("big", big.length - 2, -1)) as Buffer;
  expect(got.toString("latin1")).toBe("cdtail\0\0\0\0\0\0end");
  expect(await a.strlen("big")).toBe(big.length + 13);
  await a.del("big");
});

test("LCS: string, LEN, IDX, MINMATCHLEN, WITHMATCHLEN and errors", async () => {
  await both(["flushall"]);
  const rna1 = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
  const rna2 = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
  await same([["set", "v1", rna1], ["set", "v2", rna2]]);
  await same(
    words(`
      lcs v1 v2
      lcs v1 v2 len
      lcs v1 v2 idx
      lcs v1 v2 IDX WITHMATCHLEN
      lcs v1 v2 idx withmatchlen minmatchlen 5
      lcs v1 v2 idx minmatchlen -3
      set a ohmytext
      set b mynewtext
      lcs a b
      lcs a b idx withmatchlen
      lcs a b idx len
      lcs a b bad
      lcs a b minmatchlen
      lcs a b minmatchlen x
      lcs a nokey
      lcs nokey1 nokey2 idx
      lcs a a len
      lcs a
    `),
  );
});

test("wrong types give WRONGTYPE (or LCS's own error) and MGET nil", async () => {
  if (!(await hasCommand("rpush"))) return;
  await both(["flushall"]);
  await same(
    words(`
      rpush lst a
      set s v
      get lst
      set lst v get
      set lst v nx get
      getset lst v
      getdel lst
      getex lst
      getex lst persist
      mget s lst nokey
      append lst x
      strlen lst
      incr lst
      decrby lst 1
      incrbyfloat lst 1
      getrange lst 0 1
      setrange lst 0 x
      setrange lst 0 ""
      lcs s lst
      msetnx lst 1 new 2
      set lst v
      get lst
    `),
  );
});

/** Keyspace hits/misses after resetting stats. */
async function hits(r: Redis): Promise<string> {
  const info = (await r.info("stats")) as string;
  return info
    .split("\r\n")
    .filter((l) => /^keyspace_(hits|misses):/.test(l))
    .join(" ");
}

test("keyspace hits and misses count read lookups only", async () => {
  await both(["flushall"]);
  await both(["config", "resetstat"]);
  await same(
    words(`
      set a 1
      get a
      get nokey
      mget a nokey a
      getrange a 0 -1
      getrange nokey 0 -1
      strlen a
      substr nokey 0 1
      getex a
      getex nokey
      getdel nokey
      getset a 2
      getset nokey2 1
      set a 3 get
      set nokey3 1 get
      incr a
      incrbyfloat a 1
      append a 1
      setrange a 0 1
      setnx a 1
      msetnx a 1 b 2
      lcs a nokey
    `),
  );
  const got = await hits(a);
  expect(got).toMatch(/keyspace_hits:[1-9]\d* keyspace_misses:[1-9]/);
  if (b) expect(got).toBe(await hits(b));
});

test("keyspace notifications match (set, expire, del, persist, incrby, append, setrange, new, keymiss)", async () => {
  const script = async (r: Redis) => {
    await r.flushall();
    for (const cmd of words(`
      set k v
      set k v2 ex 100
      set k v3 nx
      setnx k2 v
      setex k3 100 v
      psetex k4 100000 v
      getex k3 ex 200
      getex k3 persist
      getex k3 persist
      getex k3
      getex k4 pxat 1
      getdel k2
      getdel k2
      getset k5 v
      mset m1 a m2 b
      msetnx m1 a m3 b
      msetnx m4 a m5 b
      incr c
      incrby c 5
      decr c
      incrbyfloat f 1.5
      append ap x
      append ap y
      setrange ap 0 z
      setrange ap 0 ""
      setrange sr 3 x
      get nokey
      mget nokey k
      strlen nokey
      set past v pxat 1
      get past
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  for (const flags of ["KEA", "KE$gxnm"]) {
    const got = await notifications(ts, script, flags);
    expect(got.length).toBeGreaterThan(20);
    if (ref) expect(got).toEqual(await notifications(ref, script, flags));
  }
});

test("RESP3 reply shapes: LCS IDX map, null replies", async () => {
  const cmds = words(`
    flushall
    set a ohmytext
    set b mynewtext
    lcs a b idx withmatchlen
    lcs a b idx minmatchlen 100
    lcs a b len
    get nokey
    mget a nokey
    set a x nx
    getex nokey
    getdel nokey
    incrbyfloat f 2.5
  `);
  const got = await resp3(ts.port, cmds);
  expect(got[3].startsWith("%2\r\n$7\r\nmatches\r\n*")).toBe(true);
  expect(got[6]).toBe("_\r\n");
  if (ref) expect(got).toEqual(await resp3(ref.port, cmds));
});
