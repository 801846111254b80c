// SORT and SORT_RO (src/commands/sort.ts) side by side with the real redis-server: numeric and
// ALPHA ordering, BY/GET patterns (strings and hash fields), LIMIT, the "nosort" native order
// of lists and sorted sets, STORE into a list, weight parsing errors and key extraction.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import type { RunningServer } from "./helpers/server.ts";
import { type Arg, notifications, onBoth, run, sameReplies, startPair, stopPair, words } from "./helpers/compare.ts";

let ts: RunningServer;
let ref: RunningServer | null;
let a: Redis;
let b: Redis | null;

beforeAll(async () => ({ ts, ref, a, b } = await startPair()));
afterAll(() => stopPair(ts, ref));

const same = (cmds: Arg[][]) => sameReplies(a, b, cmds);

const both = (cmd: Arg[]) => onBoth(a, b, cmd);

test("SORT lists, sets and sorted sets: numeric, ALPHA, DESC, LIMIT", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush l 3 1 2 10 -5 2.5
      sort l
      sort l desc
      sort l alpha
      sort l alpha desc
      sort l asc desc asc
      sort l limit 1 2
      sort l limit 1 -1
      sort l limit -5 2
      sort l limit 10 2
      sort l limit 0 0
      sort l limit 2 9223372036854775807
      sort l limit -9223372036854775808 2
      sort l desc limit 1 3
      sadd s b a c aa
      sort s alpha
      sort s alpha desc limit 1 2
      sort s
      sadd n 5 3 1 -2
      sort n
      sort n desc limit 0 2
      zadd z 1 a 5 b 2 c 10 d 3 e
      sort z alpha
      sort z alpha desc
      zadd zn 1 30 2 10 3 20
      sort zn
      sort nokey
      sort nokey alpha limit 0 5
    `),
  );
});

test("SORT BY nosort keeps the native order of lists and sorted sets", async () => {
  await both(["flushall"]);
  await same(
    words(`
      lpush l 2 1 4 3 5
      sort l by nosort
      sort l by nosort desc
      sort l by nosort limit 1 2
      sort l by nosort desc limit 1 2
      sort l by nosort limit 5 1
      sort l by nosort limit 4 10
      sort l by constant
      zadd z 1 a 5 b 2 c 10 d 3 e
      sort z by nosort
      sort z by nosort desc
      sort z by nosort limit 0 1
      sort z by nosort desc limit 0 2
      sort z by nosort limit 5 10
      sort z by nosort limit -10 100
      sort z by nosort desc limit 1 100
      sort l by nosort store dst
      lrange dst 0 -1
      sort l by nosort limit 0 3 store dst
      lrange dst 0 -1
      sadd s e d c b a
      sort s by nosort store dst
      lrange dst 0 -1
      sort s by nosort alpha desc store dst
      lrange dst 0 -1
    `),
  );
});

test("SORT BY and GET patterns: string keys, hash fields, missing keys, #", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush l 1 2 3 10
      mset w_1 30 w_2 20 w_3 10 w_10 5
      sort l by w_*
      sort l by w_* desc
      sort l by w_* limit 1 2
      sort l by w_* get # get w_*
      sort l by w_* get nokey_*
      sort l get foo
      sort l get #
      sort l get # get #
      hset o_1 f 3
      hset o_2 f 1
      hset o_3 g 1
      sort l by o_*->f
      sort l by o_*->f get o_*->f get #
      sort l by o_*->f alpha
      sort l by w_* alpha
      sort l by nokey_* alpha
      sort l by nokey_*
      sort l by w_*->f
      sort l get o_*->
      set x:1-> 100
      sort l by num get x:*->
      sort l by o_*->f store dst
      lrange dst 0 -1
      sort l get o_*->f get w_* store dst
      lrange dst 0 -1
      sadd s a b c
      mset score:a 3 score:b 3 score:c 1
      sort s by score:*
      sort s by score:* desc
      sadd t a b c d
      sort t by nothing:*
      sort t by nothing:* desc
    `),
  );
});

test("SORT STORE: list result, empty result deletes the key, TTL dropped", async () => {
  await both(["flushall"]);
  await same(
    words(`
      rpush l 3 1 2
      sort l store dst
      lrange dst 0 -1
      object encoding dst
      type dst
      expire dst 100
      sort l desc store dst
      ttl dst
      lrange dst 0 -1
      sort l limit 10 10 store dst
      exists dst
      sort nokey store dst2
      set dst2 x
      sort nokey store dst2
      exists dst2
      sort l store l
      lrange l 0 -1
      sort l store
      sort_ro l store x
      sort_ro l limit 0 1
      sort_ro l by nosort get #
    `),
  );
});

// Redis tests errno == ERANGE without clearing errno first, so after one overflowing weight a
// later valid one may be refused too; the valid cases here run before any ERANGE.
test("SORT errors: weights that are not doubles, syntax, wrong types", async () => {
  await both(["flushall"]);
  await same([
    ["rpush", "ws", " 2", "", "1", "\t3"],
    ["sort", "ws"],
    ["rpush", "nul", "1", "2\x00x"],
    ["sort", "nul"],
    ["rpush", "tail", "1", "2 "],
    ["sort", "tail"],
  ]);
  await same(
    words(`
      rpush f 1.1 5.10 3.10 0.25 inf -inf 0x10 1e5
      sort f
      rpush bad 1 x
      sort bad
      sort bad alpha
      sadd sb 1 2 not-a-double
      sort sb
      rpush ok 1 2
      mset score:1 10 score:2 -0
      sort ok by score:*
      set score:2 nan
      sort ok by score:*
      set score:2 1e400
      sort ok by score:*
      set score:2 1e-400
      sort ok by score:*
      set score:2 5x
      sort ok by score:*
      sort ok limit x 1
      sort ok limit 1
      sort ok foo
      sort ok get
      sort ok by
      set str x
      sort str
      sort_ro str
      hset h a 1
      sort h
    `),
  );
});

test("COMMAND GETKEYS finds the sort key and the last STORE", async () => {
  await same(
    words(`
      command getkeys sort abc store def
      command getkeys sort abc store invalid store stillbad store def
      command getkeys sort abc limit store x store y
      command getkeys sort abc get store by store
      command getkeys sort abc store
      command getkeys sort_ro abc
      command getkeys sort_ro abc store def
    `),
  );
});

test("keyspace notifications: sortstore, new, del, keymiss of BY/GET lookups", async () => {
  const script = async (r: Redis) => {
    await r.flushall();
    for (const cmd of words(`
      rpush l 1 2
      sort l store d
      sort l store d
      sort l limit 5 5 store d
      sort nokey store d
      sort l by w_* get g_*
    `)) {
      await r.call(cmd[0], ...cmd.slice(1)).catch(() => null);
    }
  };
  const got = await notifications(ts, script);
  expect(got).toContain("__keyevent@0__:sortstore d");
  if (ref) expect(got).toEqual(await notifications(ref, script));
});

test("SORT STORE wakes a client blocked on the destination list", async () => {
  await a.del("src", "dst");
  await a.rpush("src", "2", "1");
  const waiter = ts.client();
  const popped = waiter.blpop("dst", 5);
  await Bun.sleep(100);
  expect(await a.sort("src", "STORE", "dst")).toBe(2);
  expect(await popped).toEqual(["dst", "1"]);
  expect(await a.lrange("dst", 0, -1)).toEqual(["2"]);
});
