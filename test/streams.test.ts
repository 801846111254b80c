// Stream commands (src/commands/streams.ts, src/types/stream.ts) side by side with the real
// redis-server: entries, trimming, consumer groups, blocking reads across connections.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, onBoth, run, sameReplies, startPair, stopPair } from "./helpers/compare.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

/** The servers under test, each with a second connection for blocking commands. */
function servers(): { main: Redis; other: Redis }[] {
  const list = [{ main: a, other: ts.client() }];
  if (b && ref) list.push({ main: b, other: ref.client() });
  return list;
}

/** Start cmd on `other`, wait until the server reports it blocked, then run `then` on main. */
async function blockedThen(main: Redis, other: Redis, cmd: Arg[], then: Arg[][]): Promise<unknown> {
  const before = Number(/blocked_clients:(\d+)/.exec(await main.info("clients"))![1]);
  const reply = run(other, cmd);
  for (let i = 0; i < 200; i++) {
    const n = Number(/blocked_clients:(\d+)/.exec(await main.info("clients"))![1]);
    if (n > before) break;
    await Bun.sleep(5);
  }
  for (const c of then) await run(main, c);
  return reply;
}

test("XADD / XRANGE / XREVRANGE / XLEN, explicit and generated IDs", async () => {
  await both(["flushall"]);
  await same([
    ["xadd", "s", "1-1", "a", "1"], ["xadd", "s", "1-*", "a", "2"], ["xadd", "s", "1", "a", "3"], ["xadd", "s", "5-0", "b", "x", "c", "y"],
    ["xadd", "s", "0-0", "a", "1"], ["xadd", "t", "0-*", "a", "1"], ["xadd", "s", "abc", "a", "1"], ["xadd", "s", "1-2-3", "a", "1"],
    ["xadd", "s", "*", "a"], ["xadd", "s"], ["xadd", "nokey", "nomkstream", "*", "a", "1"], ["exists", "nokey"],
    ["xlen", "s"], ["xlen", "nokey"], ["xrange", "s", "-", "+"], ["xrevrange", "s", "+", "-"], ["xrange", "s", "-", "+", "count", "2"],
    ["xrange", "s", "(1-1", "+"], ["xrange", "s", "-", "(5-0"], ["xrange", "s", "1", "1"], ["xrange", "s", "(-", "+"],
    ["xrange", "s", "-", "+", "count", "0"], ["xrange", "s", "-", "+", "count", "-3"], ["xrange", "nokey", "-", "+"], ["xrange", "s", "-", "+", "foo"],
  ]);
  const id = (await run(a, ["xadd", "s", "*", "k", "v"])) as string;
  expect(id).toMatch(/^\d+-0$/);
  expect(Math.abs(Number(id.split("-")[0]) - Date.now())).toBeLessThan(5000);
});

test("the full 64-bit ID range", async () => {
  await both(["flushall"]);
  await same([
    ["xadd", "v", "0-18446744073709551615", "f", "v"], ["xadd", "v", "1-0", "f", "v"],
    ["xadd", "v", "18446744073709551615-18446744073709551614", "f", "v"], ["xadd", "v", "18446744073709551615-*", "f", "v"],
    ["xadd", "v", "*", "f", "v"], ["xadd", "v", "18446744073709551615-*", "f", "v"],
    ["xrange", "v", "(0-18446744073709551615", "+"], ["xrevrange", "v", "(18446744073709551615-18446744073709551615", "-"],
    ["xrange", "v", "(18446744073709551615-18446744073709551615", "+"], ["xrange", "v", "-", "(0-0"],
    ["xadd", "w", "1-18446744073709551615", "f", "v"], ["xadd", "w", "1-*", "f", "v"], ["xadd", "w", "18446744073709551616", "f", "v"],
  ]);
});

test("XDEL, XTRIM and XADD trimming (= and ~, LIMIT) land on Redis's node boundaries", async () => {
  await both(["flushall"]);
  await both(["config", "set", "stream-node-max-entries", "10"]);
  try {
    for (let i = 1; i <= 100; i++) await both(["xadd", "s", `${i}-0`, "item", String(i)]);
    await same([
      ["xdel", "s", "3-0", "3-0", "4-0", "999-0"], ["xdel", "s", "bad"], ["xlen", "s"],
      ["xtrim", "s", "maxlen", "~", "85"], ["xtrim", "s", "maxlen", "85"], ["xtrim", "s", "minid", "~", "40"], ["xtrim", "s", "minid", "=", "42-0"],
      ["xadd", "s", "maxlen", "~", "20", "limit", "10", "101-0", "f", "v"], ["xadd", "s", "maxlen", "~", "20", "limit", "30", "102-0", "f", "v"],
      ["xtrim", "s", "maxlen", "1", "limit", "5"], ["xtrim", "s", "limit", "5"], ["xtrim", "s"], ["xtrim", "s", "maxlen", "-1"],
      ["xinfo", "stream", "s"], ["xrange", "s", "-", "+", "count", "3"],
    ]);
    // Node size in bytes follows Redis's listpack encoding.
    await both(["config", "set", "stream-node-max-bytes", "100"]);
    await both(["del", "s"]);
    for (let i = 1; i <= 40; i++) await both(["xadd", "s", `${i}-0`, i % 3 ? "a" : "other", "x".repeat(i % 7)]);
    await same([["xinfo", "stream", "s", "full", "count", "0"], ["xtrim", "s", "maxlen", "~", "15"], ["xinfo", "stream", "s"]]);
  } finally {
    await both(["config", "set", "stream-node-max-entries", "100"]);
    await both(["config", "set", "stream-node-max-bytes", "4096"]);
  }
});

test("consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, lag and entries-read", async () => {
  await both(["flushall"]);
  for (let i = 1; i <= 5; i++) await both(["xadd", "s", `${i}-0`, "f", String(i)]);
  await same([
    ["xgroup", "create", "s", "g", "0"], ["xgroup", "create", "s", "g", "0"], ["xgroup", "create", "nokey", "g", "$"],
    ["xgroup", "create", "nokey", "g", "$", "mkstream"], ["xgroup", "create", "s", "late", "$"], ["xgroup", "create", "s", "bad", "0", "entriesread", "-5"],
    ["xreadgroup", "group", "g", "alice", "count", "2", "streams", "s", ">"], ["xreadgroup", "group", "g", "bob", "streams", "s", ">"],
    ["xreadgroup", "group", "g", "alice", "streams", "s", "0"], ["xreadgroup", "group", "nog", "alice", "streams", "s", ">"],
    ["xreadgroup", "group", "g", "alice", "streams", "s", "$"], ["xread", "streams", "s", ">"],
    ["xack", "s", "g", "1-0", "3-0", "9-0"], ["xack", "s", "g", "bad"], ["xpending", "s", "g"], ["xpending", "s", "nog"],
    ["xdel", "s", "2-0"], ["xreadgroup", "group", "g", "alice", "streams", "s", "0"],
    ["xinfo", "groups", "s"], ["xgroup", "setid", "s", "late", "0", "entriesread", "0"], ["xinfo", "groups", "s"],
    ["xgroup", "createconsumer", "s", "g", "carol"], ["xgroup", "createconsumer", "s", "g", "carol"],
    ["xgroup", "delconsumer", "s", "g", "bob"], ["xgroup", "destroy", "s", "late"], ["xgroup", "destroy", "s", "late"],
    ["xpending", "s", "g"], ["xgroup", "help"], ["xinfo", "help"], ["xgroup", "help", "x"], ["xinfo", "stream", "s", "foo"],
  ]);
  const pending = (await run(a, ["xpending", "s", "g", "-", "+", "10"])) as unknown[][];
  expect(pending.map((p) => [p[0], p[1], p[3]])).toEqual([["2-0", "alice", 2]]);
});

test("XCLAIM and XAUTOCLAIM move pending entries and drop deleted ones", async () => {
  await both(["flushall"]);
  for (let i = 1; i <= 4; i++) await both(["xadd", "x", `${i}-0`, "f", "v"]);
  await same([
    ["xgroup", "create", "x", "grp", "0"], ["xreadgroup", "group", "grp", "alice", "streams", "x", ">"], ["xdel", "x", "2-0"],
    ["xclaim", "x", "grp", "bob", "0", "1-0", "2-0", "justid"], ["xclaim", "x", "grp", "bob", "0", "9-0", "force", "justid"],
    ["xclaim", "x", "grp", "bob", "0", "3-0", "force", "retrycount", "7", "justid"], ["xclaim", "x", "grp", "bob", "abc", "1-0"],
    ["xclaim", "x", "grp", "bob", "0", "1-0", "bogus"], ["xclaim", "x", "nog", "bob", "0", "1-0"],
    ["xdel", "x", "4-0"], ["xautoclaim", "x", "grp", "carol", "0", "0", "count", "1"], ["xautoclaim", "x", "grp", "carol", "0", "0"],
    ["xautoclaim", "x", "grp", "carol", "0", "0", "count", "0"], ["xautoclaim", "x", "grp", "carol", "0", "0", "justid"],
    ["xpending", "x", "grp"],
  ]);
});

test("XINFO STREAM FULL and XSETID", async () => {
  await both(["flushall"]);
  for (let i = 100; i <= 104; i++) await both(["xadd", "x", String(i), "k", String(i)]);
  await same([
    ["xgroup", "create", "x", "g1", "0"], ["xdel", "x", "103"], ["xsetid", "x", "99"], ["xsetid", "x", "200", "entriesadded", "3"],
    ["xsetid", "x", "200", "maxdeletedid", "300"], ["xsetid", "x", "200", "entriesadded", "10", "maxdeletedid", "150"], ["xsetid", "nokey", "1"],
    ["xsetid", "x", "200", "0"], ["xinfo", "stream", "x"], ["xinfo", "groups", "x"], ["xinfo", "stream", "nokey"],
  ]);
  const full = (await run(a, ["xinfo", "stream", "x", "full", "count", "2"])) as unknown[];
  expect(full.slice(0, 14)).toEqual(["length", 4, "radix-tree-keys", 1, "radix-tree-nodes", 2, "last-generated-id", "200-0", "max-deleted-entry-id", "150-0", "entries-added", 10, "recorded-first-entry-id", "100-0"]);
  expect(full[15]).toEqual([["100-0", ["k", "100"]], ["101-0", ["k", "101"]]]);
});

test("blocking XREAD is served by an XADD from another connection", async () => {
  await both(["flushall"]);
  for (const { main, other } of servers()) {
    await run(main, ["xadd", "s2", "1-0", "old", "x"]);
    const got = await blockedThen(main, other, ["xread", "block", "0", "streams", "s1", "s2", "$", "$"], [["xadd", "s2", "2-0", "new", "y"]]);
    expect(got).toEqual([["s2", [["2-0", ["new", "y"]]]]]);
    // Entries at or below the requested ID do not wake the reader; deleting the key neither.
    const later = await blockedThen(main, other, ["xread", "block", "0", "streams", "s3", "5-0"], [
      ["xadd", "s3", "4-0", "f", "v"], ["del", "s3"], ["xadd", "s3", "6-0", "f", "v"],
    ]);
    expect(later).toEqual([["s3", [["6-0", ["f", "v"]]]]]);
    expect(await run(other, ["xread", "block", "20", "streams", "s9", "$"])).toBeNull();
  }
});

test("blocking XREADGROUP: new entries, deleted key, destroyed group, MULTI", async () => {
  await both(["flushall"]);
  for (const { main, other } of servers()) {
    await run(main, ["xgroup", "create", "q", "g", "$", "mkstream"]);
    const got = await blockedThen(main, other, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "q", ">"], [["xadd", "q", "1-0", "f", "v"]]);
    expect(got).toEqual([["q", [["1-0", ["f", "v"]]]]]);
    expect(await run(main, ["xpending", "q", "g"])).toEqual([1, "1-0", "1-0", [["alice", "1"]]]);
    const gone = await blockedThen(main, other, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "q", ">"], [["del", "q"]]);
    expect(gone).toBe("ERR:UNBLOCKED the stream key no longer exists");
    await run(main, ["xgroup", "create", "q", "g", "$", "mkstream"]);
    const nogroup = await blockedThen(main, other, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "q", ">"], [["xgroup", "destroy", "q", "g"]]);
    expect(nogroup).toBe("ERR:NOGROUP the consumer group this client was blocked on no longer exists");
    await run(main, ["xgroup", "create", "q", "g", "$"]);
    const replaced = await blockedThen(main, other, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "q", ">"], [["set", "q", "x"]]);
    expect(replaced).toBe("ERR:UNBLOCKED the stream key no longer exists");
    // Inside MULTI a blocking read answers at once, as if it timed out.
    await run(main, ["del", "q"]);
    await run(main, ["xgroup", "create", "q", "g", "$", "mkstream"]);
    await run(main, ["multi"]);
    await run(main, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "q", ">"]);
    expect(await run(main, ["exec"])).toEqual([null]);
  }
});

test("RENAME over a waited key serves the reader with the new stream's group", async () => {
  await both(["flushall"]);
  for (const { main, other } of servers()) {
    await run(main, ["xgroup", "create", "m{t}", "g", "$", "mkstream"]);
    const got = await blockedThen(main, other, ["xreadgroup", "group", "g", "alice", "block", "0", "streams", "m{t}", ">"], [
      ["xgroup", "create", "m2{t}", "g", "$", "mkstream"], ["xadd", "m2{t}", "100", "f1", "v1"], ["rename", "m2{t}", "m{t}"],
    ]);
    expect(got).toEqual([["m{t}", [["100-0", ["f1", "v1"]]]]]);
  }
});

test("COPY, OBJECT ENCODING, TYPE and WRONGTYPE", async () => {
  await both(["flushall"]);
  await both(["xadd", "s", "1-0", "f", "v"]);
  await both(["xgroup", "create", "s", "g", "0"]);
  await both(["xreadgroup", "group", "g", "c", "streams", "s", ">"]);
  await same([
    ["copy", "s", "d"], ["xadd", "d", "2-0", "f", "w"], ["xlen", "s"], ["xlen", "d"], ["xpending", "d", "g"], ["xack", "d", "g", "1-0"],
    ["xpending", "s", "g"], ["object", "encoding", "s"], ["type", "s"], ["set", "str", "x"], ["xadd", "str", "*", "f", "v"],
    ["xrange", "str", "-", "+"], ["xread", "streams", "str", "0"], ["xinfo", "stream", "str"], ["xgroup", "create", "str", "g", "0"],
  ]);
});
