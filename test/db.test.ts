// Unit tests of the compact keyspace (src/keyspace/db.ts) against plain JS models.

import { test, expect } from "bun:test";
import { Db, T_HASH, T_LIST, T_STRING, accessPolicy } from "../src/keyspace/db.ts";
import { latin1, fromLatin1 } from "../src/util/bytes.ts";

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function value(r: () => number, i: number): Uint8Array {
  const roll = r();
  const len = roll < 0.6 ? (r() * 20) | 0 : roll < 0.95 ? (r() * 300) | 0 : roll < 0.995 ? (r() * 5000) | 0 : 70000 + ((r() * 30000) | 0);
  const v = new Uint8Array(len);
  for (let j = 0; j < len; j++) v[j] = (i * 31 + j * 7) & 255;
  return v;
}

function readValue(db: Db, addr: number): unknown {
  return db.type(addr) === T_STRING ? latin1(db.str(addr)) : db.obj(addr);
}

function checkModel(db: Db, model: Map<string, unknown>): void {
  expect(db.size).toBe(model.size);
  for (const [k, v] of model) {
    const addr = db.peek(fromLatin1(k));
    expect(addr).not.toBe(0);
    expect(readValue(db, addr)).toBe(typeof v === "string" ? v : (v as object));
  }
  let n = 0;
  db.forEach((addr) => {
    n++;
    expect(model.has(latin1(db.keyOf(addr)))).toBe(true);
  });
  expect(n).toBe(model.size);
}

test("200k inserts, overwrites and deletes match a Map model (with compaction)", () => {
  const db = new Db(0);
  const model = new Map<string, unknown>();
  const r = rng(42);
  const keyspace = 60000;
  for (let op = 0; op < 200000; op++) {
    const i = (r() * keyspace) | 0;
    const key = "key:" + i + (i % 7 === 0 ? "\u0000\u00ff" : "");
    const kb = fromLatin1(key);
    const roll = r();
    if (roll < 0.45) {
      const v = value(r, op);
      db.setStr(kb, v, false, r() < 0.1);
      model.set(key, latin1(v));
    } else if (roll < 0.55) {
      const v = value(r, op);
      db.setStrGrowable(kb, v);
      model.set(key, latin1(v));
    } else if (roll < 0.65) {
      const obj = { op };
      db.setObj(kb, T_LIST, obj);
      model.set(key, obj);
    } else {
      expect(db.del(kb)).toBe(model.delete(key));
    }
    // Compaction runs between commands in the server; do the same here.
    if (op % 97 === 0) db.maintenance();
  }
  checkModel(db, model);
  for (let k = 0; k < 50; k++) db.maintenance();
  checkModel(db, model);
  // Drain everything, then refill: the emptied slabs must be reusable.
  for (const k of [...model.keys()]) expect(db.del(fromLatin1(k))).toBe(true);
  model.clear();
  for (let k = 0; k < 50; k++) db.maintenance();
  expect(db.size).toBe(0);
  for (let i = 0; i < 20000; i++) {
    const v = value(r, i);
    db.setStr(b("again:" + i), v);
    model.set("again:" + i, latin1(v));
  }
  checkModel(db, model);
});

test("binary and empty keys and values round-trip", () => {
  const db = new Db(0);
  const keys = [new Uint8Array(0), new Uint8Array([0]), new Uint8Array([0, 0]), new Uint8Array([255, 0, 13, 10]), b("plain")];
  keys.forEach((k, i) => db.setStr(k, new Uint8Array([i, 0, 255])));
  keys.forEach((k, i) => {
    const addr = db.lookup(k);
    expect(addr).not.toBe(0);
    expect([...db.str(addr)]).toEqual([i, 0, 255]);
    expect([...db.keyOf(addr)]).toEqual([...k]);
  });
  db.setStr(keys[0], new Uint8Array(0));
  expect(db.strLen(db.lookup(keys[0]))).toBe(0);
  expect(db.size).toBe(keys.length);
  for (const k of keys) expect(db.del(k)).toBe(true);
  expect(db.size).toBe(0);
});

/** Full SCAN while `between` mutates the db after every step; returns the keys seen. */
function scanAll(db: Db, between: (step: number) => void): Set<string> {
  const seen = new Set<string>();
  let cursor = 0;
  let step = 0;
  do {
    cursor = db.scanStep(cursor, (addr) => seen.add(latin1(db.keyOf(addr))));
    between(step++);
  } while (cursor !== 0);
  return seen;
}

test("SCAN returns every key present for the whole scan while the table grows", () => {
  for (let round = 0; round < 5; round++) {
    const db = new Db(0);
    const r = rng(round + 7);
    const stable = 100 + ((r() * 3000) | 0);
    for (let i = 0; i < stable; i++) db.setStr(b("s:" + i), b("v"));
    let added = 0;
    // One insert per step outpaces nothing: a full scan is ~capacity steps, so the table
    // doubles a few times during it without the scan running away.
    const seen = scanAll(db, (step) => {
      if (step % 2 === 0) db.setStr(b("added:" + added++), b("x"));
    });
    for (let i = 0; i < stable; i++) expect(seen.has("s:" + i)).toBe(true);
    expect(db.size).toBe(stable + added);
  }
});

test("SCAN returns every key present for the whole scan while the table shrinks", () => {
  const db = new Db(0);
  for (let i = 0; i < 100; i++) db.setStr(b("keep:" + i), b("v"));
  for (let i = 0; i < 20000; i++) db.setStr(b("drop:" + i), b("v"));
  let deleted = false;
  let n = 0;
  const seen = scanAll(db, (step) => {
    if (step === 3 && !deleted) {
      for (let i = 0; i < 20000; i++) db.del(b("drop:" + i));
      deleted = true;
    }
    // Inserts after the mass delete make the index rebuild at a smaller size.
    if (deleted) db.setStr(b("new:" + n++), b("v"));
  });
  for (let i = 0; i < 100; i++) expect(seen.has("keep:" + i)).toBe(true);
});

test("SCAN of an unchanged table visits each key exactly once", () => {
  const db = new Db(0);
  for (let i = 0; i < 5000; i++) db.setStr(b("k" + i), b("v"));
  const counts = new Map<string, number>();
  let cursor = 0;
  do cursor = db.scanStep(cursor, (addr) => counts.set(latin1(db.keyOf(addr)), (counts.get(latin1(db.keyOf(addr))) ?? 0) + 1));
  while (cursor !== 0);
  expect(counts.size).toBe(5000);
  for (const c of counts.values()) expect(c).toBe(1);
});

test("expire bookkeeping: volatile count, random volatile, lazy expiry, compaction", () => {
  const db = new Db(0);
  const expired: string[] = [];
  db.onExpired = (_d, key) => expired.push(latin1(key));
  const now = Date.now();
  const volatile = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const addr = db.setStr(b("k" + i), new Uint8Array(40));
    if (i % 3 === 0) {
      db.setExpire(addr, now + 100000 + i);
      volatile.add("k" + i);
    }
  }
  expect(db.volatileCount).toBe(volatile.size);
  // Overwrite without keepTtl clears the expire; with keepTtl (and relocation) keeps it.
  db.setStr(b("k0"), b("short"));
  volatile.delete("k0");
  db.setStr(b("k3"), new Uint8Array(500), true);
  expect(db.expireAt(db.peek(b("k3")))).toBe(now + 100003);
  db.setStrGrowable(b("k6"), new Uint8Array(900));
  expect(db.expireAt(db.peek(b("k6")))).toBe(now + 100006);
  expect(db.volatileCount).toBe(volatile.size);
  // Deleting volatile keys and clearing expires keeps the count right.
  for (let i = 9; i < 3000; i += 9) {
    db.del(b("k" + i));
    volatile.delete("k" + i);
  }
  expect(db.clearExpire(db.peek(b("k12")))).toBe(true);
  expect(db.clearExpire(db.peek(b("k12")))).toBe(false);
  volatile.delete("k12");
  expect(db.volatileCount).toBe(volatile.size);
  for (let k = 0; k < 20; k++) db.maintenance();
  for (let j = 0; j < 2000; j++) {
    const addr = db.randomVolatile();
    expect(volatile.has(latin1(db.keyOf(addr)))).toBe(true);
    expect(db.expireAt(addr)).toBeGreaterThan(now);
  }
  // A key whose expire is now is still alive (Redis: expired once now > when).
  const at = db.setStr(b("edge"), b("v"));
  db.setExpire(at, Date.now() + 60000);
  expect(db.isExpired(at, db.expireAt(at))).toBe(false);
  expect(db.isExpired(at, db.expireAt(at) + 1)).toBe(true);
  // Past expires: lookup deletes and reports through the hook, peek too, del returns false.
  for (const k of ["k15", "k21", "k30"]) db.setExpire(db.peek(b(k)), now - 10);
  expect(db.lookup(b("k15"))).toBe(0);
  expect(db.peek(b("k21"))).toBe(0);
  expect(db.del(b("k30"))).toBe(false);
  expect(expired).toEqual(["k15", "k21", "k30"]);
  for (const k of ["k15", "k21", "k30"]) volatile.delete(k);
  expect(db.volatileCount).toBe(volatile.size + 1);
  // Replicas hide expired keys without deleting them.
  db.deleteExpired = false;
  const sizeBefore = db.size;
  db.setExpire(db.peek(b("k24")), now - 10);
  expect(db.lookup(b("k24"))).toBe(0);
  expect(db.size).toBe(sizeBefore);
  expect(expired.length).toBe(3);
});

test("huge keys and values: store, overwrite, delete, compact, reuse", () => {
  const db = new Db(0);
  const bigValue = new Uint8Array(10 * 1024 * 1024).map((_, i) => i & 255);
  const hugeKeys = [600 * 1024, 1024 * 1024, 3 * 1024 * 1024].map((n, j) => new Uint8Array(n).fill(65 + j));
  db.setStr(b("big"), bigValue);
  hugeKeys.forEach((k, j) => db.setStr(k, b("value" + j)));
  for (let i = 0; i < 1000; i++) db.setStr(b("small" + i), b("v" + i));
  expect([...db.str(db.lookup(b("big"))).subarray(0, 5)]).toEqual([0, 1, 2, 3, 4]);
  expect(db.strLen(db.lookup(b("big")))).toBe(bigValue.length);
  hugeKeys.forEach((k, j) => expect(latin1(db.str(db.lookup(k)))).toBe("value" + j));
  // Delete the huge keys; compaction must recycle their slabs without corrupting others.
  for (const k of hugeKeys) expect(db.del(k)).toBe(true);
  for (let k = 0; k < 10; k++) db.maintenance();
  for (let i = 0; i < 1000; i++) expect(latin1(db.str(db.lookup(b("small" + i))))).toBe("v" + i);
  // Churn of huge keys must not grow the slab table without bound.
  const before = db.memoryBytes;
  for (let round = 0; round < 20; round++) {
    db.setStr(hugeKeys[0], b("again"));
    expect(latin1(db.str(db.lookup(hugeKeys[0])))).toBe("again");
    db.del(hugeKeys[0]);
    db.maintenance();
  }
  expect(db.memoryBytes).toBeLessThanOrEqual(before + 2 * 1024 * 1024);
  for (let i = 0; i < 20000; i++) db.setStr(b("fill" + i), new Uint8Array(100).fill(i & 255));
  for (let i = 0; i < 20000; i += 997) expect(db.str(db.lookup(b("fill" + i)))[50]).toBe(i & 255);
  // Big values grow in place through setStrGrowable and overwrite back to inline.
  db.setStrGrowable(b("big"), new Uint8Array(11 * 1024 * 1024).fill(7));
  expect(db.strLen(db.lookup(b("big")))).toBe(11 * 1024 * 1024);
  db.setStr(b("big"), b("tiny"));
  expect(latin1(db.str(db.lookup(b("big"))))).toBe("tiny");
});

test("flush resets everything; swapWith exchanges contents", () => {
  const a = new Db(0);
  const c = new Db(1);
  a.setStr(b("x"), b("1"));
  a.setExpire(a.peek(b("x")), Date.now() + 10000);
  a.avgTtl = 5000;
  c.setObj(b("h"), T_HASH, new Map());
  c.setStr(b("y"), b("2"));
  a.swapWith(c);
  expect(a.size).toBe(2);
  expect(c.size).toBe(1);
  expect(a.type(a.peek(b("h")))).toBe(T_HASH);
  expect(c.volatileCount).toBe(1);
  expect(c.avgTtl).toBe(5000);
  expect(a.id).toBe(0);
  c.flush();
  expect(c.size).toBe(0);
  expect(c.volatileCount).toBe(0);
  expect(c.avgTtl).toBe(0);
  expect(c.peek(b("x"))).toBe(0);
});

test("LFU counter: starts at 5, grows with accesses, survives in-place overwrite", () => {
  accessPolicy.lfu = true;
  try {
    const db = new Db(0);
    db.setStr(b("f"), b("v"));
    expect(db.lfu(db.peek(b("f")))).toBe(5);
    for (let i = 0; i < 2000; i++) db.lookup(b("f"));
    const freq = db.lfu(db.peek(b("f")));
    expect(freq).toBeGreaterThan(5);
    db.setStr(b("f"), b("w"));
    expect(db.lfu(db.peek(b("f")))).toBe(freq);
    db.setLfu(db.peek(b("f")), 100);
    expect(db.lfu(db.peek(b("f")))).toBe(100);
  } finally {
    accessPolicy.lfu = false;
  }
});
