// HyperLogLog (src/types/hll.ts, src/commands/hyperloglog.ts) side by side with the real
// redis-server: the stored bytes (GET) must be identical after the same commands, in sparse
// and dense form, through promotion, merges, cache updates and corrupted values, and every
// reply (counts, PFDEBUG output, errors) must match.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import { startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";
import { murmurHash64A } from "../src/types/hll.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => {
  [ts, ref] = await Promise.all([startTsredis(), startRedis()]);
  a = ts.client();
  b = ref?.client() ?? null;
});
afterAll(async () => {
  await Promise.all([ts.stop(), ref?.stop()]);
});

type Arg = string | number | Buffer;

const norm = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString("hex") : Array.isArray(v) ? v.map(norm) : v);

/** Reply as plain data: bulk strings in hex, errors as "ERR:<message>". */
async function run(r: Redis, cmd: Arg[]): Promise<unknown> {
  try {
    return norm(await r.callBuffer(String(cmd[0]), ...cmd.slice(1)));
  } catch (e) {
    return "ERR:" + (e as Error).message;
  }
}

const label = (cmd: Arg[]): string => cmd.map((x) => (Buffer.isBuffer(x) ? `<${x.length} bytes>` : String(x))).join(" ").slice(0, 200);

/** Run each command on both servers (pipelined) and require identical replies. */
async function same(cmds: Arg[][]): Promise<unknown[]> {
  const exec = async (r: Redis) => {
    const p = r.pipeline();
    for (const cmd of cmds) p.callBuffer(String(cmd[0]), ...cmd.slice(1));
    const res = (await p.exec())!;
    return res.map(([err, v]) => (err ? "ERR:" + err.message : norm(v)));
  };
  const got = await exec(a);
  if (!b) return got;
  const want = await exec(b);
  for (let i = 0; i < cmds.length; i++) {
    expect({ cmd: label(cmds[i]), reply: got[i] }).toEqual({ cmd: label(cmds[i]), reply: want[i] });
  }
  return got;
}

async function both(cmd: Arg[]): Promise<void> {
  await run(a, cmd);
  if (b) await run(b, cmd);
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return Math.floor(((s >>> 0) / 4294967296) * n);
  };
}

function elements(rand: (n: number) => number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`e${rand(1e9)}:${"x".repeat(rand(20))}`);
  return out;
}

/** A dense HLL value whose register i holds fill(i), with an invalid cache. */
function denseValue(fill: (i: number) => number): Buffer {
  const v = Buffer.alloc(12304);
  v.write("HYLL");
  v[15] = 0x80;
  for (let i = 0; i < 16384; i++) {
    const val = fill(i);
    const bit = i * 6;
    const by = 16 + (bit >> 3);
    const fb = bit & 7;
    v[by] |= (val << fb) & 255;
    if (fb > 2) v[by + 1] |= val >> (8 - fb);
  }
  return v;
}

test("MurmurHash64A matches a 64-bit BigInt reference", () => {
  const M = 0xc6a4a7935bd1e995n;
  const MASK = (1n << 64n) - 1n;
  const reference = (d: Uint8Array): bigint => {
    let h = (0xadc83b19n ^ (BigInt(d.length) * M)) & MASK;
    const body = d.length - (d.length & 7);
    for (let i = 0; i < body; i += 8) {
      let k = 0n;
      for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(d[i + j]);
      k = (k * M) & MASK;
      k ^= k >> 47n;
      k = (k * M) & MASK;
      h = ((h ^ k) * M) & MASK;
    }
    const rest = d.length & 7;
    if (rest > 0) {
      for (let j = rest - 1; j >= 0; j--) h ^= BigInt(d[body + j]) << BigInt(8 * j);
      h = (h * M) & MASK;
    }
    h ^= h >> 47n;
    h = (h * M) & MASK;
    return h ^ (h >> 47n);
  };
  const rand = rng(7);
  for (let t = 0; t < 3000; t++) {
    const d = new Uint8Array(rand(70));
    for (let i = 0; i < d.length; i++) d[i] = rand(256);
    expect(murmurHash64A(d)).toBe(reference(d));
  }
});

test("PFADD/PFCOUNT: creation, return values, cache bytes, sparse opcodes", async () => {
  await both(["flushall"]);
  await same([
    ["pfadd", "h"],
    ["exists", "h"],
    ["get", "h"],
    ["object", "encoding", "h"],
    ["pfcount", "h"],
    ["pfadd", "h", "a", "b", "c"],
    ["pfadd", "h", "a", "b", "c"],
    ["getrange", "h", "15", "15"],
    ["pfcount", "h"],
    ["get", "h"],
    ["pfadd", "h", ""],
    ["pfdebug", "decode", "h"],
    ["pfdebug", "encoding", "h"],
    ["pfcount", "h", "nokey"],
    ["pfcount", "nokey"],
    ["pfadd", "big", "x".repeat(100000), "y".repeat(13), "z".repeat(8)],
    ["get", "big"],
  ]);
});

test("random workloads: sparse, promotion to dense and merges stay byte-identical", async () => {
  const rand = rng(12345);
  for (const max of [3000, 200, 12000]) {
    await both(["flushall"]);
    await same([["config", "set", "hll-sparse-max-bytes", String(max)]]);
    for (let round = 0; round < 30; round++) {
      const cmds: Arg[][] = [];
      for (const k of ["h1", "h2", "h3"]) {
        const n = rand(5) === 0 ? rand(3000) : rand(60);
        cmds.push(["pfadd", k, ...elements(rand, n)]);
        if (rand(8) === 0) cmds.push(["pfdebug", "todense", k]);
      }
      cmds.push(["pfcount", "h1"], ["pfcount", "h1", "h2", "h3"], ["pfdebug", "encoding", "h2"]);
      if (rand(2) === 0) cmds.push(["pfmerge", "m", "h1", "h2"]);
      else cmds.push(["pfmerge", "h3", "h1", "nokey"]);
      cmds.push(["pfcount", "m"], ["pfcount", "h3"], ["pfdebug", "decode", "h1"]);
      for (const k of ["h1", "h2", "h3", "m"]) cmds.push(["get", k]);
      await same(cmds);
    }
  }
  await same([["config", "set", "hll-sparse-max-bytes", "3000"]]);
});

test("a large dense HLL: many elements, cached count, union count", async () => {
  await both(["flushall"]);
  const rand = rng(99);
  for (let batch = 0; batch < 20; batch++) {
    await same([["pfadd", "d", ...elements(rand, 2000)], ["pfadd", "s", ...elements(rand, 3)], ["pfcount", "d"], ["pfcount", "d", "s"]]);
  }
  await same([["get", "d"], ["get", "s"], ["pfmerge", "s", "d"], ["get", "s"], ["pfdebug", "getreg", "d"]]);
});

test("corrupted values are detected exactly as Redis does", async () => {
  const rand = rng(4242);
  for (let round = 0; round < 300; round++) {
    await both(["del", "c", "o"]);
    const cmds: Arg[][] = [["pfadd", "c", ...elements(rand, rand(4) === 0 ? rand(2000) : rand(100))], ["pfadd", "o", "a", "b"]];
    if (rand(4) === 0) cmds.push(["pfdebug", "todense", "o"]);
    const len = Number((await same([...cmds, ["strlen", "c"]])).at(-1));
    const corrupt: Arg[][] = [];
    for (let i = 0; i < 1 + rand(4); i++) corrupt.push(["setrange", "c", String(rand(len)), Buffer.from([rand(256)])]);
    if (rand(5) === 0) corrupt.push(["append", "c", Buffer.from([rand(256), rand(256)])]);
    const ops: Arg[][] = [
      ["pfcount", "c"],
      ["pfcount", "c", "o"],
      ["pfadd", "c", `x${rand(1000)}`, `y${rand(1000)}`],
      ["pfmerge", "o", "c"],
      ["pfdebug", "decode", "c"],
      ["pfdebug", "getreg", "c"],
      ["pfdebug", "todense", "c"],
    ];
    await same([...corrupt, ops[rand(ops.length)], ops[rand(ops.length)], ["pfcount", "c"], ["get", "c"], ["get", "o"]]);
  }
});

test("estimator edge cases: saturated and out-of-range registers, big cached values", async () => {
  await both(["flushall"]);
  const cached = denseValue(() => 3);
  cached.fill(0xff, 8, 15);
  cached[15] = 0x7f;
  await same([
    ["set", "d51", denseValue(() => 51)],
    ["pfcount", "d51"],
    ["getrange", "d51", "0", "15"],
    ["pfcount", "d51", "nokey"],
    ["set", "d50", denseValue((i) => (i === 7 ? 50 : 51))],
    ["pfcount", "d50"],
    ["set", "d63", denseValue(() => 63)],
    ["pfcount", "d63"],
    ["set", "mixed", denseValue((i) => (i * 7) % 40)],
    ["pfcount", "mixed"],
    ["getrange", "mixed", "0", "15"],
    ["pfmerge", "m", "mixed", "d63"],
    ["get", "m"],
    ["set", "zero", denseValue(() => 0)],
    ["pfcount", "zero"],
    ["set", "cached", cached],
    ["pfcount", "cached"],
  ]);
});

test("type checks, PFDEBUG errors, arity", async () => {
  await both(["flushall"]);
  await same([
    ["set", "str", "bar"],
    ["pfadd", "str", "1"],
    ["pfcount", "str"],
    ["pfmerge", "x", "str"],
    ["pfmerge", "str", "x"],
    ["set", "int", "123456789012345678"],
    ["pfcount", "int"],
    ["set", "magic", "HYLL"],
    ["pfcount", "magic"],
    ["pfadd", "h", "a"],
    ["setrange", "h", "4", "\x02"],
    ["pfcount", "h"],
    ["pfadd", "ok", "a"],
    ["pfdebug", "foo", "nokey"],
    ["pfdebug", "foo", "ok"],
    ["pfdebug", "decode", "ok"],
    ["pfdebug", "getreg"],
    ["pfdebug", "getreg", "ok", "extra"],
    ["pfdebug", "todense", "ok"],
    ["pfdebug", "todense", "ok"],
    ["pfdebug", "decode", "ok"],
    ["pfdebug", "encoding", "ok"],
    ["pfadd"],
    ["pfcount"],
    ["pfmerge"],
    ["pfselftest", "x"],
  ]);
});

test("TTL survives updates; encodings follow Redis", async () => {
  await both(["flushall"]);
  await same([
    ["pfadd", "t", "a"],
    ["expire", "t", "1000"],
    ["pfadd", "t", "b", "c"],
    ["ttl", "t"],
    ["pfcount", "t"],
    ["ttl", "t"],
    ["pfdebug", "todense", "t"],
    ["ttl", "t"],
    ["pfadd", "t", "d"],
    ["pfmerge", "t", "nokey"],
    ["ttl", "t"],
    ["object", "encoding", "t"],
    ["pfmerge", "new"],
    ["get", "new"],
    ["object", "encoding", "new"],
  ]);
  const empty = (await a.getBuffer("new"))!;
  await same([["set", "copy", empty], ["object", "encoding", "copy"], ["pfcount", "copy"], ["object", "encoding", "copy"]]);
});

test("PFCOUNT cache update invalidates WATCH; notifications name pfadd", async () => {
  await both(["flushall"]);
  await a.pfadd("w", "x");
  const watcher = ts.client();
  await watcher.watch("w");
  await a.pfcount("w");
  expect(await watcher.multi().ping().exec()).toBeNull();
  await watcher.watch("w");
  await a.pfcount("w");
  expect(await watcher.multi().ping().exec()).toEqual([[null, "PONG"]]);

  await a.config("SET", "notify-keyspace-events", "E$");
  const sub = ts.client();
  const events: string[] = [];
  sub.on("pmessage", (_p: string, ch: string, key: string) => events.push(`${ch.replace(/@\d+/, "")} ${key}`));
  await sub.psubscribe("__keyevent*");
  await a.pfadd("n", "a");
  await a.pfadd("n", "a");
  await a.pfmerge("m", "n");
  await a.pfcount("n");
  await a.ping();
  const deadline = Date.now() + 2000;
  while (events.length < 2 && Date.now() < deadline) await Bun.sleep(10);
  expect(events).toEqual(["__keyevent__:pfadd n", "__keyevent__:pfadd m"]);
  await a.config("SET", "notify-keyspace-events", "");
});

test("PFSELFTEST passes", async () => {
  expect(await a.call("pfselftest")).toBe("OK");
});
