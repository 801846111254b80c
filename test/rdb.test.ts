// RDB compatibility: every type round-trips through tsredis's own RDB; its files pass
// redis-check-rdb and load in redis-server; files redis-server 7.0 (and older versions) wrote
// load here; DUMP payloads cross in both directions; corrupt files are refused; BGSAVE is a
// point-in-time snapshot while writes go on.

import { test, expect, beforeAll, afterAll } from "bun:test";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REDIS_SERVER, contentOf, fillDataset, freePort, redisServer, runToExit, snapshotOf, tempDir, tsredis, type Proc } from "./helpers/persist.ts";
import { BIN } from "./helpers/server.ts";

const CHECK_RDB = Bun.which("redis-check-rdb");
let ref: Proc | null = null;

beforeAll(async () => {
  if (REDIS_SERVER) ref = await redisServer(tempDir("rdb-ref-"), await freePort(), ["--save", ""]);
});
afterAll(async () => {
  await ref?.stop();
});

test("every type and encoding round-trips through SAVE, kill -9 and restart", async () => {
  const dir = tempDir("rdb-rt-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", ""]);
  const r = s.client();
  await fillDataset(r);
  const before = await snapshotOf(r);
  expect(await r.save()).toBe("OK");
  await s.kill9();
  s = await tsredis(dir, port, ["--save", ""]);
  expect(await snapshotOf(s.client())).toEqual(before);
  await s.stop();
}, 60000);

test("tsredis's RDB passes redis-check-rdb and loads in redis-server unchanged", async () => {
  if (!REDIS_SERVER || !CHECK_RDB) return;
  const dir = tempDir("rdb-out-");
  const s = await tsredis(dir, await freePort(), ["--save", ""]);
  const r = s.client();
  await fillDataset(r);
  const before = await snapshotOf(r);
  await r.save();
  await s.stop();
  const check = await runToExit([CHECK_RDB, join(dir, "dump.rdb")], dir);
  expect(check.output).toContain("RDB looks OK");
  const rdir = tempDir("rdb-out-ref-");
  copyFileSync(join(dir, "dump.rdb"), join(rdir, "dump.rdb"));
  const red = await redisServer(rdir, await freePort(), ["--save", ""]);
  expect(await snapshotOf(red.client())).toEqual(before);
  await red.stop();
}, 60000);

test("an RDB written by redis-server 7.0 with every encoding loads unchanged", async () => {
  if (!ref) return;
  const r = ref.client();
  await r.flushall();
  // Small limits put both encodings of each type in one file.
  await r.config("SET", "list-max-listpack-size", "4");
  await fillDataset(r);
  await r.config("SET", "list-max-listpack-size", "-2");
  const before = await snapshotOf(r);
  await r.save();
  const dir = tempDir("rdb-in-");
  copyFileSync(join(ref.dir, "dump.rdb"), join(dir, "dump.rdb"));
  const s = await tsredis(dir, await freePort(), ["--save", ""]);
  expect(await snapshotOf(s.client())).toEqual(before);
  // And written back, redis-server reads the same again.
  await s.client().save();
  await s.stop();
  const rdir = tempDir("rdb-in-back-");
  copyFileSync(join(dir, "dump.rdb"), join(rdir, "dump.rdb"));
  const red = await redisServer(rdir, await freePort(), ["--save", ""]);
  expect(await snapshotOf(red.client())).toEqual(before);
  await red.stop();
}, 60000);

// Files from Redis's own test assets, written by Redis 2.x-6.2: zipmap and ziplist hashes,
// ziplist lists and zsets, quicklists of ziplists, intsets, linked lists, LZF strings.
const LEGACY: [string, string, string][] = [
  [
    "encodings.rdb",
    "UkVESVMwMDA0/gADBHpzZXQMAmJiAjIwAmNjAjMwA2JiYgMyMDAEYmJiYgo1MDAwMDAwMDAwA2NjYwMzMDAEY2NjYwkxMjM0NTY3ODkBYQExAmFhAjEwAWIBMgNhYWEDMTAwAWMBMwRhYWFhBDEwMDALDHNldF96aXBwZWRfMRACAAAABAAAAAEAAgADAAQACgtsaXN0X3ppcHBlZDAwAAAAJQAAAAgAAMABAATAAgAEwAMABAFhAwFiAwFjA9CghgEABuAAvKBlAQAAAP8ABnN0cmluZwtIZWxsbyBXb3JsZAAMY29tcHJlc3NpYmxlwwlAiQFhYeB8AAFhYQsMc2V0X3ppcHBlZF8yGAQAAAAEAAAAoIYBAEANAwDgkwQAgBoGAAAGbnVtYmVywAoLDHNldF96aXBwZWRfMzgIAAAABgAAAADKmjsAAAAAAJQ1dwAAAAAAXtCyAAAAAAAoa+4AAAAAAPIFKgEAAAAAvKBlAQAAAAIDc2V0CAo2MDAwMDAwMDAwwqCGAQABYcABAWLAAgFjwAMBBGxpc3QYwAHAAsADAWEBYgFjwqCGAQAKNjAwMDAwMDAwMMABwALAAwFhAWIBY8KghgEACjYwMDAwMDAwMDDAAcACwAMBYQFiAWPCoIYBAAo2MDAwMDAwMDAwDQtoYXNoX3ppcHBlZCAgAAAAGwAAAAYAAAFhA8ABAAQBYgPAAgAEAWMDwAMA/wwLenNldF96aXBwZWQgIAAAABsAAAAGAAABYQPAAQAEAWIDwAIABAFjA8ADAP8EBGhhc2gLAWLAAgJhYcAKAWPAAwNhYWHAZAJiYsAUAmNjwB4DYmJiwcgAA2NjY8EsAQNkZGTBkAEDZWVlCjUwMDAwMDAwMDABYcAB/w==",
    "b7324c5e2d3a7618126155c2bf9e40c794649565",
  ],
  ["hash-zipmap.rdb", "UkVESVMwMDAz/gAJBGhhc2gQAgJmMQIAdjECZjICAHYy//8=", "3ca39ed0cb3b979b5b125ae0d1e54f2c40b7c5e6"],
  [
    "hash-ziplist.rdb",
    "UkVESVMwMDA5+glyZWRpcy12ZXILMjU1LjI1NS4yNTX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCyFyWYPoIdXNlZC1tZW3CkK0MAPoMYW9mLXByZWFtYmxlwAD+APsBAA0EaGFzaBsbAAAAFgAAAAQAAAJmMQQCdjEEAmYyBAJ2Mv//T5zR/RZpmIM=",
    "3ca39ed0cb3b979b5b125ae0d1e54f2c40b7c5e6",
  ],
  [
    "list-quicklist.rdb",
    "UkVESVMwMDA4+glyZWRpcy12ZXIFNC4wLjn6CnJlZGlzLWJpdHPAQPoFY3RpbWXCnwYmYfoIdXNlZC1tZW3CgJIHAPoMYW9mLXByZWFtYmxlwAD+APsCAA4EbGlzdAENDQAAAAoAAAABAAD4/wABeMAH/zVy+FQaxNdA",
    "3d77c75a5b6cc5319b4ecf6e95101ed07ddd139e",
  ],
  [
    "zset-ziplist.rdb",
    "UkVESVMwMDEw+glyZWRpcy12ZXILMjU1LjI1NS4yNTX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCYrcTYfoIdXNlZC1tZW3CUPQMAPoMYW9mLXByZWFtYmxlwAD+APsBAAwEenNldBkZAAAAFgAAAAQAAANvbmUF8gIDdHdvBfP//x+y/fCZf54Z",
    "fa1ca919dcef4dea3e3e609298a9e329d3bb7c61",
  ],
];

test("RDB files of older Redis versions load (ziplist, zipmap, intset, quicklist v1, linked lists)", async () => {
  const port = await freePort();
  for (const [name, b64, digest] of LEGACY) {
    const dir = tempDir("rdb-legacy-");
    writeFileSync(join(dir, "dump.rdb"), Buffer.from(b64, "base64"));
    const s = await tsredis(dir, port, ["--save", ""]);
    expect([name, await s.client().call("debug", "digest")]).toEqual([name, digest]);
    await s.stop();
  }
}, 60000);

test("DUMP payloads cross between redis-server and tsredis for every type", async () => {
  if (!ref) return;
  const s = await tsredis(tempDir("dump-x-"), await freePort(), ["--save", ""]);
  const ours = s.client();
  const theirs = ref.client();
  await theirs.flushall();
  await fillDataset(theirs);
  await fillDataset(ours);
  for (const db of [0, 3, 15]) {
    await ours.select(db);
    await theirs.select(db);
    for (const key of (await theirs.keys("*")) as string[]) {
      // Each payload restored on both servers must give the same value and encoding.
      for (const [tag, payload] of [["r", await theirs.dumpBuffer(key)], ["t", await ours.dumpBuffer(key)]] as const) {
        const copy = `${key}:restored-${tag}`;
        await ours.restore(copy, 0, payload);
        await theirs.restore(copy, 0, payload);
        expect([copy, await ours.call("debug", "digest-value", copy)]).toEqual([copy, await theirs.call("debug", "digest-value", copy)]);
        expect([copy, await ours.object("ENCODING", copy)]).toEqual([copy, await theirs.object("ENCODING", copy)]);
      }
    }
  }
  await theirs.select(0);
  await s.stop();
}, 60000);

// A Redis 5/6 stream (RDB_TYPE_STREAM_LISTPACKS: no first ID, tombstone ID, entries-added or
// entries-read) with a group and a pending entry, as a DUMP payload of RDB version 9.
const STREAM_V1 =
  "DwEQAAAAAAAAAAEAAAAAAAAAATw8AAAAGQADAQABAgGBYQKBYgIAAQIBAAEAAQEBAgEFAQIBAAEBAQMBBAEFAQABAQEAAQEBgWMCBQEGAf8DAgEBAWcBAQEAAAAAAAAAAQAAAAAAAAABQ5c7/aEBAAABAQVhbGljZUOXO/2hAQAAAQAAAAAAAAABAAAAAAAAAAEJAE7XysJkgfyS";

test("RESTORE reads Redis 5/6 stream payloads", async () => {
  const s = await tsredis(tempDir("dump-v1-"), await freePort(), ["--save", ""]);
  const r = s.client();
  expect(await r.restore("s", 0, Buffer.from(STREAM_V1, "base64"))).toBe("OK");
  expect(await r.call("xinfo", "stream", "s", "full")).toEqual([
    "length", 3, "radix-tree-keys", 1, "radix-tree-nodes", 2, "last-generated-id", "2-1", "max-deleted-entry-id", "0-0",
    "entries-added", 3, "recorded-first-entry-id", "1-1",
    "entries", [["1-1", ["a", "1", "b", "2"]], ["1-2", ["a", "3", "b", "4"]], ["2-1", ["c", "5"]]],
    "groups", [["name", "g", "last-delivered-id", "1-1", "entries-read", 1, "lag", 2, "pel-count", 1,
      "pending", [["1-1", "alice", 1795249903427, 1]],
      "consumers", [["name", "alice", "seen-time", 1795249903427, "pel-count", 1, "pending", [["1-1", 1795249903427, 1]]]]]],
  ]);
  await s.stop();
});

test("RESTORE and DUMP answer like redis-server", async () => {
  const s = await tsredis(tempDir("dump-err-"), await freePort(), ["--save", ""]);
  const servers = ref ? [s.client(), ref.client()] : [s.client()];
  const results: unknown[][] = [];
  for (const r of servers) {
    await r.flushall();
    await r.set("foo", "bar");
    const payload = await r.dumpBuffer("foo");
    const bad = Buffer.from(payload);
    bad[1] ^= 0xff;
    const newer = Buffer.from(payload);
    newer[newer.length - 10] = 11;
    const run = async (...args: unknown[]) => {
      try {
        return await r.call("restore", ...(args as string[]));
      } catch (e) {
        return `ERR:${(e as Error).message}`;
      }
    };
    results.push([
      await r.dump("missing"),
      await run("foo", "0", payload),
      await run("foo", "0", payload, "REPLACE", "bogus"),
      await run("x", "-1", payload),
      await run("x", "abc", payload),
      await run("x", "0", bad),
      await run("x", "0", newer),
      await run("x", "0", "short"),
      await run("x", "0", payload, "IDLETIME", "-1"),
      await run("x", "0", payload, "FREQ", "256"),
      await run("x", "0", payload, "IDLETIME", "5", "FREQ", "5"),
      await run("x", "0", payload, "REPLACE", "ABSTTL", "IDLETIME", "1000"),
      ((await r.object("IDLETIME", "x")) as number) >= 1000,
      await run("y", String(Date.now() + 5000), payload, "ABSTTL"),
      (await r.pttl("y")) > 3000,
      await run("foo", "1", payload, "REPLACE", "ABSTTL"),
      await r.exists("foo"),
    ]);
  }
  if (results.length === 2) expect(results[0]).toEqual(results[1]);
  expect(results[0].slice(0, 3)).toEqual([null, "ERR:BUSYKEY Target key name already exists.", "ERR:ERR syntax error"]);
  await s.stop();
});

test("a corrupt, truncated or foreign RDB stops start-up with a clear message", async () => {
  const base = tempDir("rdb-bad-src-");
  const port = await freePort();
  const s = await tsredis(base, port, ["--save", ""]);
  await fillDataset(s.client());
  await s.client().save();
  await s.stop();
  const good = readFileSync(join(base, "dump.rdb"));
  const start = async (data: Uint8Array) => {
    const dir = tempDir("rdb-bad-");
    writeFileSync(join(dir, "dump.rdb"), data);
    return runToExit([BIN, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--admin-port", "0"], dir);
  };

  const truncated = await start(good.subarray(0, good.length >> 1));
  expect(truncated.code).not.toBe(0);
  expect(truncated.output).toMatch(/Fatal error loading the DB: Unexpected EOF: the data is truncated/);

  const flipped = Buffer.from(good);
  flipped[flipped.length - 200] ^= 0x55;
  const crc = await start(flipped);
  expect(crc.code).not.toBe(0);
  expect(crc.output).toMatch(/Fatal error loading the DB: (Wrong RDB checksum|Corrupt value|.*offset)/);

  const notRdb = await start(Buffer.from("hello world, not an RDB"));
  expect(notRdb.output).toContain("Wrong signature trying to load DB from file");

  // A module value (RDB_TYPE_MODULE_2) of module type "MyModType" version 3.
  const moduleId = (() => {
    const cs = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let id = 0n;
    for (const ch of "MyModType") id = (id << 6n) | BigInt(cs.indexOf(ch));
    return (id << 10n) | 3n;
  })();
  const id = Buffer.alloc(9);
  id[0] = 0x81;
  id.writeBigUInt64BE(moduleId, 1);
  const mod = Buffer.concat([Buffer.from("REDIS0010"), Buffer.from([0xfe, 0, 7, 1, 0x6b]), id, Buffer.from([0xff]), Buffer.alloc(8)]);
  const modOut = await start(mod);
  expect(modOut.code).not.toBe(0);
  expect(modOut.output).toContain("no matching module type 'MyModType'");
}, 60000);

test("BGSAVE is a point-in-time snapshot while writes, FLUSHALL and SWAPDB go on", async () => {
  const dir = tempDir("rdb-cow-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", ""]);
  const r = s.client();
  const w = s.client();
  await r.call("debug", "populate", "200000", "key", "16");
  await r.select(1);
  await r.call("debug", "populate", "50000", "one", "8");
  await r.select(0);
  await fillDataset(r);
  const before = await snapshotOf(r);
  expect(String(await r.bgsave())).toBe("Background saving started");
  let ops = 0;
  let saving = true;
  const writer = (async () => {
    for (let round = 0; saving; round++) {
      const p = w.pipeline();
      for (let k = 0; k < 300; k++) {
        const i = (round * 7919 + k * 104729) % 200000;
        const m = k % 5;
        if (m === 0) p.set(`key:${i}`, "changed");
        else if (m === 1) p.del(`key:${i}`);
        else if (m === 2) p.set(`created:${round}:${k}`, "new");
        else if (m === 3) p.rpush("list:big", "more");
        else p.hset("hash:big", `f${k}`, "changed");
      }
      // The first rounds run while the save has barely started.
      if (round === 0) p.swapdb(0, 2);
      if (round === 1) p.swapdb(0, 2);
      if (round === 2) {
        p.select(1);
        p.flushdb();
        p.select(0);
      }
      await p.exec();
      ops += 300;
      const info = await r.info("persistence");
      if (/rdb_bgsave_in_progress:0/.test(info)) saving = false;
    }
  })();
  await writer;
  expect(ops).toBeGreaterThan(300);
  expect(await r.info("persistence")).toContain("rdb_last_bgsave_status:ok");
  await s.kill9();
  s = await tsredis(dir, port, ["--save", ""]);
  const c = s.client();
  expect(await snapshotOf(c)).toEqual(before);
  await c.select(1);
  expect(await c.dbsize()).toBe(50000);
  await s.stop();
}, 120000);

test("clients get -LOADING while the dataset loads", async () => {
  const dir = tempDir("rdb-loading-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", ""]);
  await s.client().call("debug", "populate", "1000");
  await s.client().save();
  await s.stop();
  s = await tsredis(dir, port, ["--save", "", "--key-load-delay", "2000"], false);
  // ioredis's ready check would wait for the load to finish.
  const r = s.client({ enableReadyCheck: false });
  await expect(r.get("key:1")).rejects.toThrow("LOADING Redis is loading the dataset in memory");
  const info = await r.info("persistence");
  expect(info).toContain("loading:1");
  expect(info).toMatch(/loading_total_bytes:\d+/);
  await r.config("SET", "key-load-delay", "0");
  await s.stop();
}, 60000);

test("rdbcompression and rdbchecksum", async () => {
  const dir = tempDir("rdb-opts-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", ""]);
  const r = s.client();
  await r.set("big", "abcdefgh".repeat(10000));
  await r.save();
  const compressed = readFileSync(join(dir, "dump.rdb")).length;
  await r.config("SET", "rdbcompression", "no");
  await r.save();
  expect(readFileSync(join(dir, "dump.rdb")).length).toBeGreaterThan(compressed + 70000);
  await r.config("SET", "rdbcompression", "yes");
  await s.stop();
  s = await tsredis(dir, port, ["--save", "", "--rdbchecksum", "no"]);
  await s.client().save();
  const file = readFileSync(join(dir, "dump.rdb"));
  expect([...file.subarray(file.length - 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  await s.stop();
  s = await tsredis(dir, port, ["--save", ""]);
  expect(await s.client().strlen("big")).toBe(80000);
  expect(existsSync(join(dir, "dump.rdb"))).toBe(true);
  await s.stop();
}, 60000);

test("with two shard workers, SAVE and BGSAVE write one point-in-time RDB of every worker's keys", async () => {
  const dir = tempDir("rdb-shards-");
  const port = await freePort();
  let s = await tsredis(dir, port, ["--save", "", "--shards", "2"]);
  const r = s.client();
  await fillDataset(r);
  const before = await contentOf(r);
  expect(await r.save()).toBe("OK");
  expect(await r.lastsave()).toBeGreaterThan(0);
  // Writes during the BGSAVE are not in the file.
  const w = s.client();
  expect(String(await r.bgsave())).toBe("Background saving started");
  await w.pipeline(Array.from({ length: 500 }, (_, i) => ["set", `str:late${i}`, "x"])).exec();
  await w.del("str:int", "list:big", "hash:small");
  for (;;) {
    if (/rdb_bgsave_in_progress:0/.test(await r.info("persistence"))) break;
    await Bun.sleep(10);
  }
  expect(await r.info("persistence")).toContain("rdb_last_bgsave_status:ok");
  await s.kill9();
  s = await tsredis(dir, port, ["--save", "", "--shards", "2"]);
  expect(await contentOf(s.client())).toEqual(before);
  await s.stop();
  if (!REDIS_SERVER) return;
  const red = await redisServer(dir, await freePort(), ["--save", ""]);
  expect(await contentOf(red.client())).toEqual(before);
  await red.stop();
}, 60000);

