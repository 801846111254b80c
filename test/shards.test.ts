// Several shard workers: keys spread over threads must behave exactly like one server.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import { startTsredis, type RunningServer } from "./helpers/server.ts";
import { keyHashSlot, slotOwnerTable } from "../src/util/slots.ts";

const owners = slotOwnerTable(3);
const ownerOf = (k: string) => owners[keyHashSlot(new TextEncoder().encode(k))];
/** A key of the given prefix owned by a different worker than `other`. */
function keyAwayFrom(other: string, prefix: string): string {
  for (let i = 0; ; i++) if (ownerOf(`${prefix}${i}`) !== ownerOf(other)) return `${prefix}${i}`;
}

let srv: RunningServer;
let r: Redis;
beforeAll(async () => {
  srv = await startTsredis(["--shards", "3"]);
  r = srv.client();
});
afterAll(async () => {
  await srv.stop();
});

const keys = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => `${prefix}:${i}`);

test("single-key commands reach the owning shard from any connection", async () => {
  const conns = Array.from({ length: 6 }, () => srv.client());
  await Promise.all(conns.map((c, i) => c.set(`owner:${i}`, String(i))));
  for (const c of conns) {
    const got = await Promise.all(conns.map((_, i) => c.get(`owner:${i}`)));
    expect(got).toEqual(conns.map((_, i) => String(i)));
  }
});

test("MSET, MGET, DEL, EXISTS span shards", async () => {
  const ks = keys(60, "m");
  await r.mset(...ks.flatMap((k) => [k, `v-${k}`]));
  expect(await r.mget(...ks)).toEqual(ks.map((k) => `v-${k}`));
  expect(await r.exists(...ks, ks[0])).toBe(61);
  expect(await r.del(...ks.slice(0, 30))).toBe(30);
  expect(await r.mget(ks[0], ks[59])).toEqual([null, "v-m:59"]);
});

test("DBSIZE, KEYS, SCAN and FLUSHDB see every shard", async () => {
  await r.select(3);
  await r.flushdb();
  const ks = keys(500, "scan");
  await r.mset(...ks.flatMap((k) => [k, "1"]));
  expect(await r.dbsize()).toBe(500);
  expect((await r.keys("scan:*")).sort()).toEqual([...ks].sort());
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await r.scan(cursor, "COUNT", 37);
    for (const k of batch) seen.add(k);
    cursor = next;
  } while (cursor !== "0");
  expect(seen.size).toBe(500);
  expect(await r.flushdb()).toBe("OK");
  expect(await r.dbsize()).toBe(0);
  await r.select(0);
});

test("no client ever sees half an MSET across shards", async () => {
  const writer = srv.client();
  const reader = srv.client();
  const a = "atomic:a";
  const b = keyAwayFrom(a, "atomic:b");
  let done = false;
  const writes = (async () => {
    for (let i = 0; i < 300; i++) await writer.mset(a, String(i), b, String(i));
    done = true;
  })();
  let torn = 0;
  while (!done) {
    const [x, y] = await reader.mget(a, b);
    if (x !== y) torn++;
  }
  await writes;
  expect(torn).toBe(0);
});

test("MULTI/EXEC across shards is atomic and WATCH sees remote changes", async () => {
  const k2 = keyAwayFrom("tx:1", "tx:2-");
  const t = await r.multi().set("tx:1", "a").set(k2, "b").incr("tx:n").mget("tx:1", k2).exec();
  expect(t!.map(([, v]) => v)).toEqual(["OK", "OK", 1, ["a", "b"]]);
  const w = srv.client();
  const other = srv.client();
  await w.watch("tx:1", k2);
  await other.set(k2, "changed");
  expect(await w.multi().set("tx:1", "x").exec()).toBeNull();
  expect(await r.get("tx:1")).toBe("a");
});

test("RENAME and COPY move values between shards with their TTL", async () => {
  const dst = keyAwayFrom("rn:src", "rn:dst");
  const copy = keyAwayFrom(dst, "rn:copy");
  await r.set("rn:src", "value", "PX", 100000);
  expect(await r.rename("rn:src", dst)).toBe("OK");
  expect(await r.get(dst)).toBe("value");
  expect(await r.exists("rn:src")).toBe(0);
  expect(await r.pttl(dst)).toBeGreaterThan(90000);
  expect(await r.copy(dst, copy)).toBe(1);
  expect(await r.get(copy)).toBe("value");
});

test("a pipeline mixing local and remote keys keeps its order", async () => {
  const p = r.pipeline();
  for (let i = 0; i < 200; i++) p.set(`pl:${i}`, String(i)).get(`pl:${i}`).incr(`pl:${i}`);
  const res = (await p.exec())!.map(([, v]) => v);
  for (let i = 0; i < 200; i++) expect(res.slice(i * 3, i * 3 + 3)).toEqual(["OK", String(i), i + 1]);
});

test("PUBLISH reaches subscribers connected to any worker", async () => {
  const subs = Array.from({ length: 6 }, () => srv.client());
  const got = subs.map(() => [] as string[]);
  await Promise.all(subs.map((s, i) => {
    s.on("message", (_ch: string, msg: string) => got[i].push(msg));
    return s.subscribe("news");
  }));
  expect(await r.publish("news", "hello")).toBe(6);
  const deadline = Date.now() + 5000;
  while (got.some((g) => g.length === 0) && Date.now() < deadline) await Bun.sleep(10);
  expect(got.every((g) => g[0] === "hello")).toBe(true);
});

test("client ids are unique across workers", async () => {
  const conns = Array.from({ length: 8 }, () => srv.client());
  const ids = await Promise.all(conns.map((c) => c.client("ID")));
  expect(new Set(ids).size).toBe(8);
});

test("INFO keyspace and clients describe every worker", async () => {
  await r.select(5);
  await r.flushdb();
  await r.mset(...keys(40, "info").flatMap((k) => [k, "1"]));
  const extra = Array.from({ length: 4 }, () => srv.client());
  await Promise.all(extra.map((c) => c.ping()));
  const deadline = Date.now() + 5000;
  let info = "";
  // Other workers publish their counters every cron tick: poll until they are visible.
  while (Date.now() < deadline) {
    info = await r.info();
    if (/db5:keys=40,/.test(info) && Number(/connected_clients:(\d+)/.exec(info)![1]) >= 5) break;
    await Bun.sleep(20);
  }
  expect(info).toMatch(/db5:keys=40,expires=0/);
  expect(Number(/connected_clients:(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(5);
  await r.select(0);
});

test("keyspace notifications reach subscribers on every worker", async () => {
  await r.config("SET", "notify-keyspace-events", "KEA");
  const subs = Array.from({ length: 6 }, () => srv.client());
  const got = subs.map(() => [] as string[]);
  await Promise.all(subs.map((s, i) => {
    s.on("message", (_ch: string, msg: string) => got[i].push(msg));
    return s.subscribe("__keyevent@0__:set");
  }));
  await r.set("notified", "1");
  const deadline = Date.now() + 5000;
  while (got.some((g) => g.length === 0) && Date.now() < deadline) await Bun.sleep(10);
  expect(got.map((g) => g[0])).toEqual(subs.map(() => "notified"));
  await r.config("SET", "notify-keyspace-events", "");
});

test("BLPOP waits on a key owned by another worker and is woken by a push from any connection", async () => {
  const conns = Array.from({ length: 6 }, () => srv.client());
  const key = "blocked:list";
  const blocked = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !new RegExp(`blocked_clients:${n}\r`).test((await r.info("clients")) as string)) await Bun.sleep(10);
  };
  // Block the waiters one after the other so their FIFO order is known.
  const waiters: Promise<readonly [number, [string, string] | null]>[] = [];
  for (let i = 0; i < 3; i++) {
    waiters.push(conns[i].blpop(key, 0).then((v) => [i, v] as const));
    await blocked(i + 1);
  }
  await conns[4].rpush(key, "a", "b", "c");
  const served = await Promise.all(waiters);
  expect(served.map(([i, v]) => [i, v![1]])).toEqual([[0, "a"], [1, "b"], [2, "c"]]);
  expect(await conns[5].blpop(key, 0.05)).toBeNull();
});
