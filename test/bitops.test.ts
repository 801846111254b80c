// Bitmap commands (src/commands/bitops.ts) side by side with the real redis-server: fixed
// edge cases plus seeded random BITCOUNT/BITPOS/BITOP/BITFIELD workloads must give identical
// replies, dirty counts and keyspace notifications.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, onBoth, startPair, stopPair } from "./helpers/compare.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const norm = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString("latin1") : Array.isArray(v) ? v.map(norm) : v);

/** Reply as plain data: bulk strings in latin1, errors as "ERR:<message>". */
async function run(r: Redis, cmd: Arg[]): Promise<unknown> {
  try {
    return norm(await r.callBuffer(String(cmd[0]), ...cmd.slice(1)));
  } catch (e) {
    return "ERR:" + (e as Error).message;
  }
}

/** Run each command on both servers and require identical replies. */
async function same(cmds: Arg[][]): Promise<void> {
  for (const cmd of cmds) {
    const got = await run(a, cmd);
    if (b) {
      const want = await run(b, cmd);
      expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: want });
    }
  }
}

/** Pipelined variant for the random workloads: one round trip per batch. */
async function sameBatch(cmds: Arg[][]): Promise<void> {
  const exec = async (r: Redis) => {
    const p = r.pipeline();
    for (const cmd of cmds) p.callBuffer(String(cmd[0]), ...cmd.slice(1));
    const res = (await p.exec())!;
    return res.map(([err, v]) => (err ? "ERR:" + err.message : norm(v)));
  };
  const got = await exec(a);
  if (!b) return;
  const want = await exec(b);
  for (let i = 0; i < cmds.length; i++) {
    expect({ cmd: cmds[i].map(String), reply: got[i] }).toEqual({ cmd: cmds[i].map(String), reply: want[i] });
  }
}

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

const words = (lines: string): string[][] =>
  lines
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n) => {
    // xorshift32
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return Math.floor(((s >>> 0) / 4294967296) * n);
  };
}

test("SETBIT and GETBIT: values, growth, offsets and errors", async () => {
  await both(["flushall"]);
  await same(
    words(`
      setbit b 7 1
      setbit b 7 1
      setbit b 100 1
      get b
      getbit b 7
      getbit b 6
      getbit b 100
      getbit b 1000
      getbit nokey 0
      setbit b -1 1
      setbit b 4294967296 1
      setbit b 0 2
      setbit b 0 -1
      setbit b 0 01
      setbit b abc 1
      setbit b #1 1
      getbit b abc
      getbit b -1
      getbit b 4294967296
      set s @
      setbit s 2 1
      get s
      setbit s 1 0
      get s
      set i 1
      setbit i 6 1
      get i
      getbit i 2
      getbit i 3
      set g \`
      getbit g 1
      getbit g 2
      getbit g 10000
    `),
  );
});

test("BITCOUNT and BITPOS: BYTE and BIT ranges, negative indexes, errors", async () => {
  await both(["flushall"]);
  await same([["set", "ff", Buffer.from([0xff, 0xf0, 0x00])], ["set", "zz", Buffer.alloc(3)], ["set", "allff", Buffer.from([0xff, 0xff, 0xff])], ["set", "s", "foobar"]]);
  await same(
    words(`
      bitcount s
      bitcount s 1 1
      bitcount s 0 -1
      bitcount s 5 30 bit
      bitcount s 1 -2 bit
      bitcount s -5 -1 bit
      bitcount s -1 -5
      bitcount s 0 -1 byte
      bitcount s 0 -1 BIT
      bitcount s 0 -1 bad
      bitcount s 0
      bitcount s a b
      bitcount s 0 b
      bitcount nokey a b
      bitcount s 0 -1 bit extra
      bitcount s 100 200
      bitcount s -100 -50
      bitpos ff 0
      bitpos ff 1
      bitpos ff 0 1
      bitpos ff 1 2
      bitpos ff 0 0 -1
      bitpos ff 0 0 -1 bit
      bitpos ff 0 3 10 bit
      bitpos ff 1 7 15 bit
      bitpos ff 0 7 15 bit
      bitpos ff 0 12 15 bit
      bitpos ff 0 12 20 bit
      bitpos ff 1 16 23 bit
      bitpos ff 0 16 23 bit
      bitpos ff 1 -1 -1 bit
      bitpos ff 1 5 4
      bitpos ff 2
      bitpos ff a
      bitpos nokey 0
      bitpos nokey 1
      bitpos nokey 1 a
      bitpos ff 1 a
      bitpos ff 1 0 a
      bitpos ff 1 0 a bad
      bitpos ff 1 0 1 bit extra
      bitpos zz 1
      bitpos zz 0
      bitpos zz 1 1
      bitpos zz 0 0 -1
      bitpos allff 0
      bitpos allff 0 0
      bitpos allff 0 0 -1
      bitpos allff 0 0 -1 bit
      bitpos allff 1 -3
    `),
  );
});

test("BITCOUNT and BITPOS agree with Redis on random strings and ranges", async () => {
  await both(["flushall"]);
  const rand = rng(7);
  for (let round = 0; round < 10; round++) {
    const cmds: Arg[][] = [];
    const len = 1 + rand(300);
    const bytes = Buffer.alloc(len);
    // Long runs of 0x00/0xff exercise the word-at-a-time paths.
    for (let i = 0; i < len; i++) bytes[i] = rand(4) === 0 ? rand(256) : round % 2 ? 0xff : 0;
    cmds.push(["set", "str", bytes]);
    for (let i = 0; i < 150; i++) {
      const unit = ["", "byte", "bit"][rand(3)];
      const span = unit === "bit" ? len * 8 : len;
      const start = rand(span * 2 + 10) - span - 5;
      const end = rand(span * 2 + 10) - span - 5;
      const bit = rand(2);
      cmds.push(unit === "" ? ["bitcount", "str", start, end] : ["bitcount", "str", start, end, unit]);
      cmds.push(unit === "" ? ["bitpos", "str", bit, start, end] : ["bitpos", "str", bit, start, end, unit]);
      cmds.push(["bitpos", "str", bit, start]);
    }
    cmds.push(["bitcount", "str"], ["bitpos", "str", 0], ["bitpos", "str", 1]);
    await sameBatch(cmds);
  }
});

test("BITOP AND/OR/XOR/NOT, including missing, empty, integer and same-key operands", async () => {
  await both(["flushall"]);
  await same(
    words(`
      set k1 foobar
      set k2 abcdef
      set short ab
      set num 123
      bitop and dest k1 k2
      get dest
      bitop or dest k1 k2 short
      get dest
      bitop xor dest k1 k2 short
      get dest
      bitop not dest k1
      get dest
      bitop not dest k1 k2
      bitop bad dest k1
      bitop and dest k1 short
      get dest
      bitop or dest num
      get dest
      bitop and dest nokey k1
      get dest
      bitop and dest nokey1 nokey2
      exists dest
      bitop or k1 k1 k2
      get k1
      bitop xor dest k1
      get dest
    `),
  );
  await same([["set", "e", ""], ["set", "x", "abc"], ["bitop", "or", "dest", "x", "e"], ["get", "dest"], ["bitop", "and", "dest", "e"], ["exists", "dest"]]);
  const rand = rng(11);
  const cmds: Arg[][] = [];
  for (let i = 0; i < 60; i++) {
    const keys = 1 + rand(4);
    const srcs: string[] = [];
    for (let k = 0; k < keys; k++) {
      const v = Buffer.alloc(rand(40));
      for (let j = 0; j < v.length; j++) v[j] = rand(256);
      cmds.push(["set", `src${k}`, v]);
      srcs.push(`src${k}`);
    }
    const op = ["and", "or", "xor", "not"][rand(4)];
    cmds.push(["bitop", op, "out", ...(op === "not" ? [srcs[0]] : srcs)], ["get", "out"]);
  }
  await sameBatch(cmds);
});

test("BITFIELD: types, #offsets, overflow modes, errors and BITFIELD_RO", async () => {
  await both(["flushall"]);
  await same(
    words(`
      bitfield bf set i8 0 100 get i8 0
      bitfield bf set u8 0 255 get u8 0
      bitfield bf incrby u2 100 1 overflow sat incrby u2 102 1
      bitfield bf overflow fail incrby i8 0 1000
      bitfield bf overflow wrap incrby i8 0 1000
      bitfield bf overflow sat incrby i8 0 1000
      bitfield bf overflow sat incrby i8 0 -1000
      bitfield bf set u8 #1 200 get u8 #1 get u8 8
      bitfield bf get u64 0
      bitfield bf get i65 0
      bitfield bf get I8 0
      bitfield bf get i0 0
      bitfield bf get i08 0
      bitfield bf get u63 0
      bitfield bf get i64 0
      bitfield bf set i64 0 -1 get i64 0 get u63 0 get u63 1
      bitfield bf overflow wrap incrby i64 0 -9223372036854775808
      bitfield bf overflow sat incrby i64 0 -9223372036854775808
      bitfield bf overflow sat incrby i64 0 9223372036854775807
      bitfield bf overflow bad
      bitfield bf overflow
      bitfield bf get
      bitfield bf get i8
      bitfield bf set i8 0
      bitfield bf bad
      bitfield bf get i8 abc
      bitfield bf set i8 0 abc
      bitfield bf set i8 0 9223372036854775808
      bitfield bf get i8 -1
      bitfield bf get i8 #-1
      bitfield bf get i8 #abc
      bitfield bf get i8 4294967296
      bitfield bf
      bitfield nobf
      bitfield nobf get u8 0
      exists nobf
      bitfield_ro bf get i8 0
      bitfield_ro bf set i8 0 1
      bitfield_ro bf get i8 0 incrby i8 0 1
      bitfield_ro bf
      bitfield bf2 set u8 0 -1 set u8 8 256 overflow sat set u8 16 -1 set u8 24 256 overflow fail set u8 32 256
      get bf2
      bitfield bf3 set i8 0 10 set i8 64 10 incrby i8 10 99900
      bitfield bf4 overflow fail set u4 100 100
      get bf4
      bitfield bf5 set u63 0 9223372036854775807 incrby u63 0 1 get u63 0
      bitfield bf5 set i5 0 -17 get i5 0 overflow sat set i5 5 -17 get i5 5
      bitfield bf6 incrby u8 0 -1 overflow sat incrby u8 8 -1 incrby u8 8 300 incrby u8 8 -300
      set bits 1
      bitfield bits get u1 0
    `),
  );
});

test("BITFIELD agrees with Redis on random operations", async () => {
  await both(["flushall"]);
  const rand = rng(3);
  const big = (): string => {
    const digits = 1 + rand(19);
    let s = String(1 + rand(9));
    for (let i = 1; i < digits; i++) s += rand(10);
    return (rand(2) ? "-" : "") + (BigInt(s) > 9223372036854775807n ? "9223372036854775807" : s);
  };
  for (let round = 0; round < 8; round++) {
    const cmds: Arg[][] = [];
    for (let i = 0; i < 120; i++) {
      const args: Arg[] = ["bitfield", "f" + rand(3)];
      const ops = 1 + rand(4);
      for (let j = 0; j < ops; j++) {
        const signed = rand(2) === 0;
        const type = (signed ? "i" : "u") + (1 + rand(signed ? 64 : 63));
        const offset = rand(4) === 0 ? "#" + rand(8) : String(rand(200));
        const kind = rand(4);
        if (kind === 0) args.push("get", type, offset);
        else if (kind === 1) args.push("set", type, offset, big());
        else if (kind === 2) args.push("incrby", type, offset, big());
        else args.push("overflow", ["wrap", "sat", "fail"][rand(3)]);
      }
      cmds.push(args);
    }
    cmds.push(["get", "f0"], ["get", "f1"], ["get", "f2"]);
    await sameBatch(cmds);
  }
});

/** rdb_changes_since_last_save, Redis's dirty counter. */
async function dirty(r: Redis): Promise<number> {
  const info = (await r.info("persistence")) as string;
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

test("SETBIT, BITFIELD and BITOP count dirty changes like Redis", async () => {
  await both(["flushall"]);
  const script = words(`
    setbit foo 0 0
    bitfield foo2 set i5 0 0
    setbit foo 0 0
    bitfield foo2 set i5 0 0
    setbit foo 0 1
    setbit foo 0 1
    bitfield foo2 set i5 0 1 set i5 5 1 set i5 0 1
    bitfield foo3 incrby i5 0 1
    bitfield foo3 incrby i5 0 1 incrby i5 0 1
    bitfield foo4 overflow fail set u2 0 7
    setbit foo 90 0
    bitfield foo2 set i5 90 0
    bitop or dest foo foo2
    bitop or dest nokey
    bitop or dest nokey
  `);
  const deltas = async (r: Redis) => {
    const out: number[] = [];
    for (const cmd of script) {
      const before = await dirty(r);
      await r.call(cmd[0], ...cmd.slice(1));
      out.push((await dirty(r)) - before);
    }
    return out;
  };
  const got = await deltas(a);
  expect(got.slice(0, 4)).toEqual([1, 1, 0, 0]);
  if (b) expect(got).toEqual(await deltas(b));
});

test("keyspace notifications for setbit, bitfield and bitop", async () => {
  const collect = async (srv: RunningServer) => {
    const r = srv.client();
    const sub = srv.client();
    await r.config("SET", "notify-keyspace-events", "KE$gnm");
    const got: string[] = [];
    sub.on("pmessage", (_p: string, ch: string, msg: string) => got.push(`${ch} ${msg}`));
    await sub.psubscribe("*");
    await r.flushall();
    for (const cmd of words(`
      setbit b 3 1
      setbit b 3 1
      setbit b 3 0
      getbit nokey 0
      bitcount nokey
      bitfield bf set u8 0 1
      bitfield bf set u8 0 1
      bitfield bf overflow fail incrby u8 0 1000
      bitfield_ro nokey get u8 0
      bitop or dest b bf
      bitop or dest nokey
      bitpos nokey 1
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
    await r.ping();
    await Bun.sleep(100);
    await r.config("SET", "notify-keyspace-events", "");
    sub.disconnect();
    r.disconnect();
    return got;
  };
  const got = await collect(ts);
  expect(got).toContain("__keyevent@0__:setbit b");
  if (ref) expect(got).toEqual(await collect(ref));
});

test("big bitmaps: SETBIT near the 512 MB limit edits in place", async () => {
  await both(["flushall"]);
  expect(await a.setbit("huge", 4294967295, 1)).toBe(0);
  expect(await a.strlen("huge")).toBe(512 * 1024 * 1024);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) await a.setbit("huge", i * 20000000, 1);
  // Each write must not copy the 512 MB value.
  expect(performance.now() - t0).toBeLessThan(2000);
  expect(await a.bitcount("huge")).toBe(201);
  expect(await a.bitpos("huge", 1, 1)).toBe(20000000);
  expect(await a.getbit("huge", 4294967295)).toBe(1);
  expect(await a.bitcount("huge", -1, -1)).toBe(1);
  await a.del("huge");
});
