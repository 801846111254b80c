// List commands (src/commands/lists.ts, src/types/list.ts) side by side with the real
// redis-server: replies, errors, RESP2/RESP3 null forms, keyspace notifications, node
// splits under small list-max-listpack-size settings, and blocking pops across connections.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { connect } from "node:net";
import type Redis from "ioredis";
import { startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";
import { replyEnd } from "../src/resp/reply.ts";
import { notifications } from "./helpers/compare.ts";

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

/** Reply as plain data: bulk strings in latin1, errors as "ERR:<message>". */
async function run(r: Redis, cmd: Arg[]): Promise<unknown> {
  const norm = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString("latin1") : Array.isArray(v) ? v.map(norm) : v);
  try {
    return norm(await r.callBuffer(String(cmd[0]), ...cmd.slice(1)));
  } catch (e) {
    return "ERR:" + (e as Error).message;
  }
}

/** Run each command on both servers and require identical replies. */
async function same(cmds: Arg[][]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const cmd of cmds) {
    const got = await run(a, cmd);
    if (b) {
      const want = await run(b, cmd);
      expect({ cmd: cmd.map(String), reply: got }).toEqual({ cmd: cmd.map(String), reply: want });
    }
    out.push(got);
  }
  return out;
}

async function both(cmd: Arg[]): Promise<void> {
  await run(a, cmd);
  if (b) await run(b, cmd);
}

/** Commands given as space-separated words (no argument contains a space). */
const words = (lines: string): string[][] =>
  lines
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/));

/** Poll INFO until `n` clients are blocked. */
async function blockedClients(r: Redis, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const info = (await r.info("clients")) as string;
    const m = /blocked_clients:(\d+)/.exec(info);
    if (m && Number(m[1]) === n) return;
    if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${n}: ${m?.[1]}`);
    await Bun.sleep(5);
  }
}

/** Run a scenario against each server and require the same transcript. */
async function sameScenario(fn: (srv: RunningServer) => Promise<unknown>): Promise<unknown> {
  const got = await fn(ts);
  if (ref) expect(got).toEqual(await fn(ref));
  return got;
}

test("push, pop, length, index, range", async () => {
  await both(["flushall"]);
  await same(
    words(`
      lpush l a b c
      rpush l d e f
      lpushx l z
      rpushx l y
      lpushx nokey a
      rpushx nokey a
      exists nokey
      llen l
      llen nokey
      lrange l 0 -1
      lrange l 1 -2
      lrange l -3 -1
      lrange l 5 2
      lrange l -100 100
      lrange l 0 -100
      lrange nokey 0 -1
      lrange l x 1
      lindex l 0
      lindex l -1
      lindex l 100
      lindex l -100
      lindex nokey 0
      lindex nokey x
      lindex l x
      lpop l
      rpop l
      lpop l 2
      rpop l 2
      lpop l 0
      rpop l 100
      exists l
      lpop l
      lpop l 1
      lpop l 0
      lpop l -1
      lpop l x
      lpop l 1 2
      rpop l 1 2
      lindex l 9223372036854775807
      lrange l 0 9223372036854775807
      lrange l 0 9223372036854775808
    `),
  );
});

test("LSET, LINSERT, LREM, LTRIM", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush l a b c a b c a
      lset l 0 A
      lset l -1 Z
      lset l 7 x
      lset l -8 x
      lset l x v
      lset nokey 0 v
      lrange l 0 -1
      linsert l before b B1
      linsert l after c C1
      linsert l after Z end
      linsert l before A start
      linsert l before nosuch x
      linsert l middle b x
      linsert nokey before a b
      lrange l 0 -1
      lrem l 1 b
      lrem l -1 c
      lrem l 0 a
      lrem l 0 nosuch
      lrem l x a
      lrem nokey 0 a
      lrange l 0 -1
      ltrim l 1 -2
      lrange l 0 -1
      ltrim l 0 0
      lrange l 0 -1
      ltrim l 5 2
      exists l
      ltrim nokey 0 1
      ltrim l x 1
      rpush r 1 2 3 4 5
      ltrim r -2 -1
      lrange r 0 -1
      ltrim r 0 -3
      exists r
      rpush q x x x
      lrem q 0 x
      exists q
    `),
  );
});

test("LPOS with RANK, COUNT and MAXLEN", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush l a b c 1 2 3 c c
      lpos l a
      lpos l c
      lpos l c rank 1
      lpos l c rank 2
      lpos l c rank 4
      lpos l c rank -1
      lpos l c rank -2
      lpos l c rank 0
      lpos l c count 0
      lpos l c count 1
      lpos l c count 2
      lpos l c count 100
      lpos l c count 0 rank 2
      lpos l c count 2 rank -1
      lpos l a count 0 maxlen 1
      lpos l c count 0 maxlen 1
      lpos l c count 0 maxlen 3
      lpos l c count 0 maxlen 3 rank -1
      lpos l c count 0 maxlen 7 rank 2
      lpos l x
      lpos l x count 2 rank -1
      lpos l c count -1
      lpos l c maxlen -1
      lpos l c count x
      lpos l c rank x
      lpos l c count
      lpos l c bogus 1
      lpos nokey c
      lpos nokey c count 0 rank 2
      lpos nokey c rank 0
    `),
  );
});

test("LMOVE, RPOPLPUSH and LMPOP", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush src a b c d
      lmove src dst left right
      lmove src dst right left
      lmove src dst LEFT LEFT
      lrange src 0 -1
      lrange dst 0 -1
      lmove src src left right
      lmove src dst up left
      lmove nosrc dst left left
      rpoplpush src dst
      exists src
      rpoplpush nosrc dst
      lrange dst 0 -1
      set str x
      rpoplpush str dst
      rpoplpush dst str
      lrange dst 0 -1
      rpush one x
      rpoplpush one one
      lrange one 0 -1
      lmpop 2 nokey dst left
      lmpop 2 nokey dst right count 2
      lmpop 1 dst left count 100
      lmpop 1 dst left
      lmpop 2 nokey str left
      lmpop 0 dst left
      lmpop x dst left
      lmpop 1 dst middle
      lmpop 1 dst left count 0
      lmpop 1 dst left count 1 count 1
      lmpop 1 dst left bogus
      lmpop 2 dst
      lmpop 5 dst left
      command getkeys lmpop 2 a b left
      command getkeys blmpop 0 1 a left
    `),
  );
});

test("wrong types and OBJECT ENCODING", async () => {
  await both(["flushall"]);
  await same(
    words(`
      set s x
      lpush s a
      rpush s a
      lpushx s a
      llen s
      lrange s 0 -1
      lindex s 0
      lset s 0 a
      linsert s before a b
      lrem s 0 a
      ltrim s 0 1
      lpos s a
      lpop s
      lpop s 0
      rpop s 2
      lmpop 1 s left
      blpop s 0
      brpop s 0
      blmove s d left left 0
      blmpop 0 1 s left
      rpush small a
      object encoding small
      rpush big ${"x".repeat(100)} ${"y".repeat(10000)}
      object encoding big
      copy big big2
      lrange big2 0 0
      lpop big2
      llen big
      type big2
    `),
  );
});

test("RESP2 and RESP3 null and empty forms", async () => {
  const cmds = words(`
    flushall
    rpush l x
    lpop nokey
    rpop nokey
    lpop nokey 0
    lpop nokey 1
    lpop l 0
    lindex nokey 0
    lindex l 5
    lpos l nosuch
    lpos l nosuch count 0
    lmpop 1 nokey left
    rpoplpush nokey l
    lmove nokey l left left
    blpop nokey 0.01
    blmove nokey l left left 0.01
    blmpop 0.01 1 nokey left
    lrange nokey 0 -1
  `);
  for (const proto of ["2", "3"]) {
    const got = await raw(ts.port, proto, cmds);
    expect(got[2]).toBe(proto === "3" ? "_\r\n" : "$-1\r\n");
    expect(got[4]).toBe(proto === "3" ? "_\r\n" : "*-1\r\n");
    expect(got[6]).toBe("*0\r\n");
    if (ref) expect(got).toEqual(await raw(ref.port, proto, cmds));
  }
});

/** One connection in the given protocol: send commands one by one, return each raw reply. */
async function raw(port: number, proto: string, cmds: string[][]): Promise<string[]> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((res) => s.once("connect", () => res()));
  let buf = Buffer.alloc(0);
  const replies: string[] = [];
  for (const cmd of [["hello", proto], ...cmds]) {
    s.write(`*${cmd.length}\r\n` + cmd.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join(""));
    for (;;) {
      let end = -1;
      try {
        end = buf.length > 0 ? replyEnd(buf) : -1;
      } catch {
        end = -1;
      }
      if (end > 0 && end <= buf.length) {
        replies.push(buf.subarray(0, end).toString("latin1"));
        buf = buf.subarray(end);
        break;
      }
      buf = Buffer.concat([buf, await new Promise<Buffer>((res) => s.once("data", res))]);
    }
  }
  s.destroy();
  return replies.slice(1);
}

test("node splits: random edits under small node sizes match redis", async () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  const value = (): string => (rnd(4) === 0 ? "v".repeat(rnd(9000)) + rnd(10) : String(rnd(30)));
  for (const size of ["-1", "4", "1"]) {
    await both(["flushall"]);
    await both(["config", "set", "list-max-listpack-size", size]);
    const cmds: Arg[][] = [];
    for (let i = 0; i < 300; i++) {
      const idx = rnd(40) - 20;
      switch (rnd(9)) {
        case 0: cmds.push(["lpush", "l", value(), value()]); break;
        case 1: cmds.push(["rpush", "l", value()]); break;
        case 2: cmds.push(["lpop", "l"]); break;
        case 3: cmds.push(["rpop", "l", rnd(3)]); break;
        case 4: cmds.push(["lset", "l", idx, value()]); break;
        case 5: cmds.push(["linsert", "l", rnd(2) ? "before" : "after", String(rnd(30)), value()]); break;
        case 6: cmds.push(["lrem", "l", rnd(5) - 2, String(rnd(30))]); break;
        case 7: cmds.push(["ltrim", "l", rnd(5), -1 - rnd(5)]); break;
        default: cmds.push(["lindex", "l", idx]);
      }
      cmds.push(["lrange", "l", 0, -1]);
    }
    await same(cmds);
  }
  await both(["config", "set", "list-max-listpack-size", "-2"]);
});

test("keyspace notifications match", async () => {
  const script = async (r: Redis): Promise<void> => {
    await r.flushall();
    for (const cmd of words(`
      lpush l a b c
      rpush l d
      lpushx l e
      rpushx nokey e
      linsert l before a x
      linsert l before nosuch x
      lset l 0 y
      lrem l 1 x
      lrem l 1 nosuch
      ltrim l 0 -1
      ltrim l 1 -1
      lpop l
      rpop l 2
      lmove l m left right
      rpoplpush m l
      lmpop 1 l left count 10
      rpush q 1
      blpop q 0
      rpush q 1 2
      blmove q q2 right left 0
      blmpop 0 1 q left count 5
      lrange nokey 0 1
      ltrim t 0 -1
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  const got = await notifications(ts, script);
  expect(got.length).toBeGreaterThan(30);
  if (ref) expect(got).toEqual(await notifications(ref, script));
});

// ---- blocking ---------------------------------------------------------------------------------

test("BLPOP is woken by LPUSH from another connection", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w = srv.client();
    await r.del("bl");
    const pending = w.blpop("nothere", "bl", 0);
    await blockedClients(r, 1);
    const pushed = await r.lpush("bl", "a", "b");
    const got = await pending;
    const left = await r.lrange("bl", 0, -1);
    r.disconnect();
    w.disconnect();
    return { pushed, got, left };
  });
});

test("two waiters are served in FIFO order", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w1 = srv.client();
    const w2 = srv.client();
    await r.del("fifo");
    const order: string[] = [];
    const p1 = w1.brpop("fifo", 0).then((v) => order.push("w1:" + v?.[1]));
    await blockedClients(r, 1);
    const p2 = w2.brpop("fifo", 0).then((v) => order.push("w2:" + v?.[1]));
    await blockedClients(r, 2);
    await r.rpush("fifo", "x");
    await p1;
    await r.rpush("fifo", "y");
    await p2;
    r.disconnect();
    w1.disconnect();
    w2.disconnect();
    return order;
  });
});

test("timeouts: fractional seconds, and errors", async () => {
  const w = ts.client();
  const t0 = Date.now();
  expect(await w.blpop("none", 0.2)).toBeNull();
  const waited = Date.now() - t0;
  expect(waited).toBeGreaterThanOrEqual(190);
  expect(waited).toBeLessThan(1500);
  expect(await w.call("blmove", "none", "dst", "left", "left", "0.05")).toBeNull();
  expect(await w.call("blmpop", "0.05", "1", "none", "left")).toBeNull();
  w.disconnect();
  await same(
    words(`
      blpop none -1
      blpop none abc
      blpop none inf
      brpoplpush none dst -0.5
      blmove none dst left left x
      blmove none dst up left 1
      blmpop x 1 none left
      blmpop -1 1 none left
      blmpop 0 1 none left count 0
      blpop
    `),
  );
});

test("timeout 0 waits until a later push", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w = srv.client();
    await r.del("forever", "target");
    const pending = w.brpoplpush("forever", "target", 0);
    await blockedClients(r, 1);
    await Bun.sleep(300);
    await blockedClients(r, 1);
    await r.rpush("forever", "late");
    const got = await pending;
    const target = await r.lrange("target", 0, -1);
    r.disconnect();
    w.disconnect();
    return { got, target };
  });
});

test("CLIENT UNBLOCK ends a wait as a timeout or with an error", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w = srv.client();
    const id = await w.client("ID");
    const results: unknown[] = [];
    const first = w.blpop("ub", 0);
    await blockedClients(r, 1);
    results.push(await r.client("UNBLOCK", id));
    results.push(await first);
    const second = w.call("blmpop", "0", "1", "ub", "right").catch((e: Error) => "ERR:" + e.message);
    await blockedClients(r, 1);
    results.push(await r.client("UNBLOCK", id, "ERROR"));
    results.push(await second);
    results.push(await r.client("UNBLOCK", id));
    await r.lpush("ub", "still-works");
    results.push(await w.blpop("ub", 0));
    r.disconnect();
    w.disconnect();
    return results;
  });
});

test("a client that disconnects while blocked is forgotten", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w = srv.client();
    await r.del("gone");
    w.blpop("gone", 0).catch(() => null);
    await blockedClients(r, 1);
    w.disconnect();
    await blockedClients(r, 0);
    await r.rpush("gone", "kept");
    const left = await r.lrange("gone", 0, -1);
    r.disconnect();
    return left;
  });
});

test("blocking commands do not block inside MULTI", async () => {
  await both(["flushall"]);
  await same([["rpush", "xl", "foo", "bar"]]);
  const script = async (r: Redis): Promise<unknown> =>
    r
      .multi()
      .blpop("xl", 0)
      .brpoplpush("xl", "t", 0)
      .blpop("xl", 0)
      .blmove("xl", "t", "LEFT", "LEFT", 0)
      .call("blmpop", "0", "1", "xl", "left")
      .lrange("t", 0, -1)
      .exec();
  const got = await script(a);
  expect(got).toEqual([[null, ["xl", "foo"]], [null, "bar"], [null, null], [null, null], [null, null], [null, ["bar"]]]);
  if (b) expect(got).toEqual(await script(b));
});

test("BLMOVE chains, wrong destination types and BLMPOP counts", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w1 = srv.client();
    const w2 = srv.client();
    await r.flushall();
    const out: unknown[] = [];
    // A move into a list another client waits on serves that client too.
    const p1 = w1.blmove("c1", "c2", "RIGHT", "LEFT", 0);
    await blockedClients(r, 1);
    const p2 = w2.blpop("c2", 0);
    await blockedClients(r, 2);
    await r.rpush("c1", "hop");
    out.push(await p1, await p2, await r.exists("c1", "c2"));
    // A wrong-type destination ends the wait with WRONGTYPE and leaves the source alone.
    await r.set("notlist", "x");
    const p3 = w1.brpoplpush("src", "notlist", 0).catch((e: Error) => "ERR:" + e.message);
    await blockedClients(r, 1);
    await r.rpush("src", "stay");
    out.push(await p3, await r.lrange("src", 0, -1));
    // BLMPOP takes up to COUNT elements from the first list that has any.
    const p4 = w2.call("blmpop", "0", "2", "m1", "m2", "left", "count", "3");
    await blockedClients(r, 1);
    await r.rpush("m2", "1", "2", "3", "4");
    out.push(await p4, await r.lrange("m2", 0, -1));
    r.disconnect();
    w1.disconnect();
    w2.disconnect();
    return out;
  });
});

test("LPUSH + DEL inside MULTI does not wake a waiter", async () => {
  await sameScenario(async (srv) => {
    const r = srv.client();
    const w = srv.client();
    await r.del("md");
    const pending = w.blpop("md", 0);
    await blockedClients(r, 1);
    await r.multi().lpush("md", "a").del("md").set("md", "str").exec();
    await blockedClients(r, 1);
    await r.del("md");
    await r.lpush("md", "b");
    const got = await pending;
    r.disconnect();
    w.disconnect();
    return got;
  });
});
