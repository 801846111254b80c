// Persistence commands: SAVE, BGSAVE, BGREWRITEAOF, DUMP and RESTORE. The machinery lives in
// src/persistence; installPersistence() attaches it to a shard worker.

import { register } from "./table.ts";
import { lookupRead } from "./keys.ts";
import { keyAdded } from "./strings.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { T_STRING, accessPolicy, lruClock } from "../keyspace/db.ts";
import { bytes, is, latin1, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER, SYNTAX } from "../server/errors.ts";
import { PART_TOKEN, installPersistenceManager, persistenceOf } from "../persistence/manager.ts";
import { Crc64 } from "../persistence/crc64.ts";
import { RDB_VERSION, RdbOut, writeValue } from "../persistence/rdb-writer.ts";
import { RdbReader, readValue } from "../persistence/rdb-reader.ts";

/** Inside EXEC (Redis's server.in_exec), where BGSAVE and BGREWRITEAOF only get scheduled. */
function inExec(c: Client): boolean {
  return c.noBlock;
}

function save(c: Client): void {
  const p = persistenceOf(c.shard);
  if (p.backgroundSave !== null) return c.out.error("ERR Background save already in progress");
  // Saving resets the dirty counter: that is no change to propagate.
  c.propagateAs = [];
  p.rdbSaves++;
  p.save(c, (err) => (err === null ? c.out.ok() : c.out.error(err)));
}

function bgsave(c: Client, argv: Uint8Array[]): void {
  const p = persistenceOf(c.shard);
  // Another shard worker starting a save everywhere asks for this worker's part.
  if (argv.length === 4 && c.socket === null && p.mesh !== null && latin1(argv[1]) === PART_TOKEN) {
    p.startPart(latin1(argv[2]), is(argv[3], "sync"));
    return c.out.ok();
  }
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && is(argv[1], "schedule")) schedule = true;
    else return c.out.error(SYNTAX);
  }
  if (p.backgroundSave !== null) return c.out.error("ERR Background save already in progress");
  if (p.busy || inExec(c)) {
    if (schedule || inExec(c)) {
      p.bgsaveScheduled = true;
      return c.out.simple("Background saving scheduled");
    }
    return c.out.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
  }
  p.startBgsave();
  c.out.simple("Background saving started");
}

function bgrewriteaof(c: Client): void {
  const p = persistenceOf(c.shard);
  if (p.mesh !== null) return c.out.error("ERR The AOF is not supported with more than one shard worker");
  const aof = p.aof;
  if (aof.rewrite !== null) return c.out.error("ERR Background append only file rewriting already in progress");
  if (p.busy || inExec(c)) {
    aof.rewriteScheduled = true;
    aof.consecutiveFailures = 0;
    return c.out.simple("Background append only file rewriting scheduled");
  }
  const err = aof.startRewrite();
  if (err !== null) return c.out.error(err);
  c.out.simple("Background append only file rewriting started");
}

// ---- DUMP / RESTORE ------------------------------------------------------------------------

/** createDumpPayload: the RDB value, the RDB version (2 bytes) and a CRC64 of both. */
function dumpPayload(c: Client, addr: number): Uint8Array {
  const out = new RdbOut(c.shard.config.getBool("rdbcompression"), 256);
  writeValue(out, c.db, addr);
  out.byte(RDB_VERSION & 0xff);
  out.byte(RDB_VERSION >> 8);
  const crc = new Crc64();
  crc.update(out.bytes());
  out.raw(crc.digest());
  return out.bytes();
}

function dump(c: Client, argv: Uint8Array[]): void {
  const addr = lookupRead(c, argv[1], true);
  if (addr === 0) return c.out.nil();
  c.out.bulk(dumpPayload(c, addr));
}

/** verifyDumpPayload: long enough, a version this server reads, a matching CRC64. */
function payloadOk(p: Uint8Array): boolean {
  if (p.length < 10) return false;
  const footer = p.length - 10;
  if ((p[footer] | (p[footer + 1] << 8)) > RDB_VERSION) return false;
  const crc = new Crc64();
  crc.update(p.subarray(0, p.length - 8));
  const d = crc.digest();
  for (let i = 0; i < 8; i++) if (d[i] !== p[footer + 2 + i]) return false;
  return true;
}

function restore(c: Client, argv: Uint8Array[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (is(argv[j], "replace")) replace = true;
    else if (is(argv[j], "absttl")) absttl = true;
    else if (is(argv[j], "idletime") && more >= 1 && freq === -1) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.out.error(NOT_INTEGER);
      if (v < 0) return c.out.error("ERR Invalid IDLETIME value, must be >= 0");
      idle = Number(v);
    } else if (is(argv[j], "freq") && more >= 1 && idle === -1) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.out.error(NOT_INTEGER);
      if (v < 0 || v > 255) return c.out.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      freq = Number(v);
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const key = argv[1];
  const db = c.db;
  if (!replace && db.lookup(key) !== 0) return c.out.error("BUSYKEY Target key name already exists.");
  const ttlArg = parseInt64(argv[2]);
  if (ttlArg === null) return c.out.error(NOT_INTEGER);
  if (ttlArg < 0) return c.out.error("ERR Invalid TTL value, must be >= 0");
  const payload = argv[3];
  if (!payloadOk(payload)) return c.out.error("ERR DUMP payload version or checksum are wrong");

  let type: number;
  let value: unknown;
  try {
    const r = RdbReader.fromBytes(payload.subarray(0, payload.length - 10));
    const decoded = readValue(r, r.u8(), { config: c.shard.config });
    type = decoded.type;
    value = decoded.type === T_STRING ? (decoded.value as Uint8Array).slice() : decoded.value;
  } catch {
    return c.out.error("ERR Bad data format");
  }
  if (value === null) return c.out.error("ERR Bad data format");

  const deleted = replace && db.del(key);
  let ttl = Number(ttlArg);
  if (ttl !== 0 && !absttl) ttl += Date.now();
  if (ttl !== 0 && ttl <= Date.now()) {
    // Already expired: the key is not created (and a replaced one is gone).
    if (deleted) {
      c.rewrite([bytes("DEL"), key.slice()]);
      c.written(key, "del", "g");
    }
    return c.out.ok();
  }
  const addr = type === T_STRING ? db.setStr(key, value as Uint8Array) : db.setObj(key, type, value);
  if (ttl !== 0) {
    db.setExpire(addr, ttl);
    if (!absttl) c.rewrite([argv[0], key.slice(), bytes(String(ttl)), payload.slice(), ...argv.slice(4).map((a) => a.slice()), bytes("ABSTTL")]);
  }
  if (accessPolicy.lfu) {
    if (freq >= 0) db.setLfu(addr, freq);
  } else if (idle >= 0) {
    db.setLru(addr, Math.max(0, lruClock() - idle));
  }
  keyAdded(c, key);
  c.written(key, "restore", "g");
  c.shard.blocking.signal(c.dbIndex, key);
  c.out.ok();
}

export function installPersistence(shard: Shard): void {
  installPersistenceManager(shard);
}

const ADMIN_NOSCRIPT = ["admin", "noscript", "no_async_loading"];

register(
  { name: "save", arity: 1, flags: [...ADMIN_NOSCRIPT, "no_multi"], group: "server", since: "1.0.0", summary: "Synchronously save the dataset to disk", complexity: "O(N) where N is the total number of keys in all databases", handler: save },
  { name: "bgsave", arity: -1, flags: ADMIN_NOSCRIPT, group: "server", since: "1.0.0", summary: "Asynchronously save the dataset to disk", complexity: "O(1)", handler: bgsave },
  { name: "bgrewriteaof", arity: 1, flags: ADMIN_NOSCRIPT, group: "server", since: "1.0.0", summary: "Asynchronously rewrite the append-only file", complexity: "O(1)", handler: bgrewriteaof },
  {
    name: "dump", arity: 2, flags: ["readonly"], keys: [1, 1, 1], group: "generic", since: "2.6.0",
    summary: "Return a serialized version of the value stored at the specified key.",
    complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
    acl: ["keyspace", "read", "slow"], tips: ["nondeterministic_output"], handler: dump,
  },
  {
    name: "restore", arity: -4, flags: ["write", "denyoom"], keys: [1, 1, 1], group: "generic", since: "2.6.0",
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
    acl: ["keyspace", "write", "slow", "dangerous"], handler: restore,
  },
);
