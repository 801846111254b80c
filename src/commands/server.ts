// Server commands: INFO, DBSIZE, FLUSHDB/FLUSHALL, TIME, LASTSAVE, SHUTDOWN, MONITOR, SLOWLOG,
// LATENCY, MEMORY, CONFIG, DEBUG. installServer() hooks the per-command observer that feeds
// the slow log, the latency monitor, the latency histograms and MONITOR clients.

import { scripting } from "../scripting/state.ts";
import { register, lookupCommand, allCommands, type Command } from "./table.ts";
import { replyHelp, subcommandSyntaxError, lookupFullName } from "./command.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { observeCalls } from "../server/dispatch.ts";
import { scheduleFlush } from "../server/net.ts";
import { onReset } from "./connection.ts";
import { replyBuffers } from "./client.ts";
import { ConfigError, parseMemory } from "../config/config.ts";
import { decodeReply, type ReplyValue } from "../resp/reply.ts";
import { T_STRING, T_LIST, T_SET, T_ZSET, T_HASH, T_STREAM, lruClock, type Db } from "../keyspace/db.ts";
import { bytes, is, isIntEncodable, latin1, lower, parseInt64, parseSafeInt, str } from "../util/bytes.ts";
import { NOT_INTEGER, NO_SUCH_KEY, SYNTAX } from "../server/errors.ts";
import { infoSectionsFor, infoText, randomHex, replication, startInfoSampler, bytesToHuman, usedMemory, datasetBytes } from "../server/info.ts";
import { persistenceOf } from "../persistence/manager.ts";
import { REDACTED, redactedPositions, slowlogEntries, slowlogPush, slowlogReset } from "../server/slowlog.ts";
import {
  addLatencySample,
  commandHistogram,
  latencyEvents,
  latencyGraph,
  latencyReport,
  recordCommandLatency,
  resetCommandHistograms,
  resetLatencyEvents,
  seriesSamples,
  type Histogram,
} from "../server/latency.ts";

declare const self: Worker;

// ---- helpers shared by the introspection commands ------------------------------------

/** Connections from the loopback interface (enable-*-command / protected configs "local"). */
function isLocalClient(c: Client): boolean {
  return c.addr.startsWith("127.") || c.addr.startsWith("[::1]") || c.addr.startsWith("[::ffff:127.") || c.addr.startsWith("/");
}

/**
 * Run another command's handler for this client and hand its decoded RESP2 reply to `use`
 * (DEBUG and MEMORY read values through the type commands instead of their internals).
 * Returns null when that command is not available. Stats and error counters are left as
 * they were.
 */
function query<T>(c: Client, args: (string | Uint8Array)[], use: (reply: ReplyValue) => T): T | null {
  const argv = args.map((a) => (typeof a === "string" ? bytes(a) : a));
  let cmd = lookupCommand(lower(argv[0]));
  if (cmd?.subcommands) cmd = cmd.subcommands.get(lower(argv[1]));
  if (!cmd?.handler) return null;
  const out = c.out;
  const mark = out.len;
  const proto = out.proto;
  const onError = out.onError;
  const { keyspaceHits, keyspaceMisses } = c.shard.stats;
  out.proto = 2;
  out.onError = null;
  try {
    cmd.handler(c, argv);
    return use(decodeReply(out.buf.subarray(mark, out.len))[0]);
  } finally {
    out.len = mark;
    out.proto = proto;
    out.onError = onError;
    c.shard.stats.keyspaceHits = keyspaceHits;
    c.shard.stats.keyspaceMisses = keyspaceMisses;
  }
}

function replyList(r: ReplyValue): Uint8Array[] {
  return Array.isArray(r) ? (r.filter((x) => x instanceof Uint8Array) as Uint8Array[]) : [];
}

function replyText(r: ReplyValue): string | null {
  if (typeof r === "string") return r;
  if (r instanceof Uint8Array) return str(r);
  return null;
}

/** OBJECT ENCODING of a key as the type modules report it. */
function encodingOf(c: Client, db: Db, addr: number, key: Uint8Array): string {
  if (db.type(addr) === T_STRING) {
    const len = db.strLen(addr);
    if (!db.isRaw(addr) && isIntEncodable(db.str(addr))) return "int";
    return !db.isRaw(addr) && len <= 44 ? "embstr" : "raw";
  }
  return query(c, ["object", "encoding", key], replyText) ?? "unknown";
}

// ---- per-command observer: slow log, latency, MONITOR ------------------------------------

const tuning = {
  slowlogSlowerThan: 10000,
  slowlogMaxLen: 128,
  latencyThreshold: 0,
  latencyTracking: true,
};

const monitors = new Set<Client>();

/** sdscatrepr(): a quoted, escaped rendering of one argument. */
function repr(b: Uint8Array): string {
  let s = '"';
  for (const ch of b) {
    switch (ch) {
      case 0x5c:
        s += "\\\\";
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += "\\n";
        break;
      case 0x0d:
        s += "\\r";
        break;
      case 0x09:
        s += "\\t";
        break;
      case 0x07:
        s += "\\a";
        break;
      case 0x08:
        s += "\\b";
        break;
      default:
        s += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : "\\x" + ch.toString(16).padStart(2, "0");
    }
  }
  return s + '"';
}

/** replicationFeedMonitors(): "+<sec>.<usec> [<db> <addr>] "arg" ..." to every monitor. */
function feedMonitors(c: Client, cmd: Command, argv: Uint8Array[]): void {
  const redact = redactedPositions(cmd, argv);
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  const usec = Math.floor((t - sec * 1000) * 1000);
  let line = `${sec}.${String(usec).padStart(6, "0")} [${c.dbIndex} ${c.addr}]`;
  for (let j = 0; j < argv.length; j++) line += " " + repr(redact !== null && redact.includes(j) ? REDACTED : argv[j]);
  for (const m of monitors) {
    if (m.closed || !m.monitor) {
      monitors.delete(m);
      continue;
    }
    m.out.simple(line);
    scheduleFlush(m);
  }
}

function observe(c: Client, cmd: Command, argv: Uint8Array[], usec: number): void {
  const t = tuning;
  if (t.slowlogSlowerThan >= 0 && usec >= t.slowlogSlowerThan && t.slowlogMaxLen > 0 && !cmd.flags.has("skip_slowlog")) {
    slowlogPush(c, cmd, argv, usec, t.slowlogMaxLen);
  }
  if (t.latencyThreshold > 0) {
    const ms = Math.trunc(usec / 1000);
    if (ms >= t.latencyThreshold) addLatencySample(cmd.flags.has("fast") ? "fast-command" : "command", ms);
  }
  if (t.latencyTracking) recordCommandLatency(cmd, usec);
  if (monitors.size > 0 && !cmd.flags.has("skip_monitor") && !cmd.flags.has("admin")) feedMonitors(c, cmd, argv);
}

function loadTuning(shard: Shard): void {
  const cfg = shard.config;
  tuning.slowlogSlowerThan = cfg.getNum("slowlog-log-slower-than");
  tuning.slowlogMaxLen = cfg.getNum("slowlog-max-len");
  tuning.latencyThreshold = cfg.getNum("latency-monitor-threshold");
  tuning.latencyTracking = cfg.getBool("latency-tracking");
}

/** Settings DEBUG changes for other modules to read. */
export const debugKnobs = {
  /** DEBUG QUICKLIST-PACKED-THRESHOLD: list elements at least this big get a node of their own. */
  quicklistPackedThreshold: 1 << 30,
};

export function installServer(shard: Shard): void {
  loadTuning(shard);
  shard.config.onChange(() => loadTuning(shard));
  observeCalls(observe);
  startInfoSampler(shard);
  shard.closeHooks.push((c) => monitors.delete(c));
  onReset((c) => monitors.delete(c));
  // Active expiry runs inside the shard cron; its CPU time per tick is the "expire-cycle" event.
  let lastExpireMs = shard.stats.expireCycleCpuMs;
  setInterval(() => {
    const spent = shard.stats.expireCycleCpuMs;
    const ms = Math.trunc(spent - lastExpireMs);
    lastExpireMs = spent;
    if (tuning.latencyThreshold > 0 && ms >= tuning.latencyThreshold) addLatencySample("expire-cycle", ms);
  }, 100);
}

// ---- INFO, DBSIZE, FLUSH*, TIME, LASTSAVE ------------------------------------------------

function info(c: Client, argv: Uint8Array[]): void {
  const args = argv.slice(1).map(latin1);
  c.out.verbatim(infoText(infoSectionsFor(c.shard, args)));
}

function dbsize(c: Client): void {
  c.out.int(c.db.size);
}

/** getFlushCommandFlags(): only SYNC or ASYNC (both flush at once here). */
function flushArgsOk(c: Client, argv: Uint8Array[]): boolean {
  if (argv.length === 1 || (argv.length === 2 && (is(argv[1], "sync") || is(argv[1], "async")))) return true;
  c.out.error(SYNTAX);
  return false;
}

function flushDbs(c: Client, argv: Uint8Array[], which: number): void {
  const shard = c.shard;
  let removed = 0;
  shard.dbModified(which);
  for (let i = 0; i < shard.dbs.length; i++) {
    if (which >= 0 && i !== which) continue;
    removed += shard.dbs[i].size;
    shard.dbs[i].flush();
  }
  shard.dirty += removed;
  // Like forceCommandPropagation(): replicas and the AOF see the flush even of empty dbs.
  if (removed === 0) shard.propagate(c.dbIndex, argv);
  c.out.ok();
}

function flushdb(c: Client, argv: Uint8Array[]): void {
  if (flushArgsOk(c, argv)) flushDbs(c, argv, c.dbIndex);
}

function flushall(c: Client, argv: Uint8Array[]): void {
  if (!flushArgsOk(c, argv)) return;
  flushDbs(c, argv, -1);
  persistenceOf(c.shard).afterFlushAll(c);
}

function time(c: Client): void {
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  c.out.array(2);
  c.out.bulkStr(String(sec));
  c.out.bulkStr(String(Math.floor((t - sec * 1000) * 1000)));
}

function lastsave(c: Client): void {
  c.out.int(c.shard.lastSave);
}

// ---- SHUTDOWN, MONITOR ----------------------------------------------------------------------

function shutdown(c: Client, argv: Uint8Array[]): void {
  let nosave = false;
  let save = false;
  let other = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    if (is(argv[i], "nosave")) nosave = true;
    else if (is(argv[i], "save")) save = true;
    else if (is(argv[i], "now")) other = true;
    else if (is(argv[i], "force")) force = other = true;
    else if (is(argv[i], "abort")) abort = true;
    else return c.out.error(SYNTAX);
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return c.out.error(SYNTAX);
  // The coordinator stops the process at once, so a shutdown is never pending.
  if (abort) return c.out.error("ERR No shutdown in progress.");
  // Save (and flush the AOF) here, where a failure can still be answered.
  persistenceOf(c.shard).prepareShutdown(save ? true : nosave ? false : null, force, c, (err) => {
    if (err !== null) return c.out.error(err);
    self.postMessage({ type: "shutdown", save: false });
  });
}

function monitor(c: Client): void {
  if (c.monitor) return;
  c.monitor = true;
  monitors.add(c);
  c.out.ok();
}

// ---- SLOWLOG ---------------------------------------------------------------------------------

function slowlogGet(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3) return subcommandSyntaxError(c, argv);
  let count = 10;
  if (argv.length === 3) {
    const n = parseSafeInt(argv[2]);
    if (n === null || n < -1) return c.out.error("ERR count should be greater than or equal to -1");
    count = n === -1 ? Infinity : n;
  }
  const list = slowlogEntries();
  const n = Math.min(count, list.length);
  c.out.array(n);
  for (let i = 0; i < n; i++) {
    const e = list[i];
    c.out.array(6);
    c.out.int(e.id);
    c.out.int(e.time);
    c.out.int(e.usec);
    c.out.bulks(e.args);
    c.out.bulkStr(e.peer);
    c.out.bulk(e.name);
  }
}

function slowlogLen(c: Client): void {
  c.out.int(slowlogEntries().length);
}

function slowlogResetCmd(c: Client): void {
  slowlogReset();
  c.out.ok();
}

function slowlogHelp(c: Client): void {
  replyHelp(c, "SLOWLOG", [
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
  ]);
}

// ---- LATENCY -----------------------------------------------------------------------------------

function latencyLatest(c: Client): void {
  const events = latencyEvents();
  c.out.array(events.size);
  for (const [name, ts] of events) {
    const samples = seriesSamples(ts);
    const last = samples[samples.length - 1];
    c.out.array(4);
    c.out.bulkStr(name);
    c.out.int(last.time);
    c.out.int(last.latency);
    c.out.int(ts.max);
  }
}

function latencyHistory(c: Client, argv: Uint8Array[]): void {
  const ts = latencyEvents().get(latin1(argv[2]));
  if (ts === undefined) return c.out.array(0);
  const samples = seriesSamples(ts);
  c.out.array(samples.length);
  for (const s of samples) {
    c.out.array(2);
    c.out.int(s.time);
    c.out.int(s.latency);
  }
}

function latencyReset(c: Client, argv: Uint8Array[]): void {
  if (argv.length === 2) return c.out.int(resetLatencyEvents(null));
  let n = 0;
  for (let j = 2; j < argv.length; j++) n += resetLatencyEvents(latin1(argv[j]));
  c.out.int(n);
}

function latencyGraphCmd(c: Client, argv: Uint8Array[]): void {
  const event = latin1(argv[2]);
  const ts = latencyEvents().get(event);
  if (ts === undefined) return c.out.error(`ERR No samples available for event '${event}'`);
  c.out.verbatim(latencyGraph(event, ts));
}

function latencyDoctor(c: Client): void {
  const cfg = c.shard.config;
  c.out.verbatim(
    latencyReport({
      threshold: cfg.getNum("latency-monitor-threshold"),
      slowlogSlowerThan: cfg.getNum("slowlog-log-slower-than"),
      hz: cfg.getNum("hz"),
    }),
  );
}

/** fillCommandCDF(): {calls, histogram_usec: {usec: cumulative count}} */
function replyCdf(c: Client, h: Histogram): void {
  c.out.map(2);
  c.out.bulkStr("calls");
  c.out.int(h.total);
  c.out.bulkStr("histogram_usec");
  const cdf = h.cdf();
  c.out.map(cdf.length);
  for (const [usec, count] of cdf) {
    c.out.int(usec);
    c.out.int(count);
  }
}

function latencyHistogram(c: Client, argv: Uint8Array[]): void {
  const found: [string, Histogram][] = [];
  const add = (cmd: Command) => {
    const h = commandHistogram(cmd);
    if (h !== undefined) found.push([cmd.fullName, h]);
  };
  if (argv.length === 2) {
    for (const cmd of allCommands()) {
      add(cmd);
      if (cmd.subcommands) for (const sub of cmd.subcommands.values()) add(sub);
    }
  } else {
    for (let j = 2; j < argv.length; j++) {
      const cmd = lookupFullName(latin1(argv[j]));
      if (cmd === undefined) continue;
      add(cmd);
      if (cmd.subcommands) for (const sub of cmd.subcommands.values()) add(sub);
    }
  }
  c.out.map(found.length);
  for (const [name, h] of found) {
    c.out.bulkStr(name);
    replyCdf(c, h);
  }
}

function latencyHelp(c: Client): void {
  replyHelp(c, "LATENCY", [
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
  ]);
}

// ---- MEMORY ------------------------------------------------------------------------------------

/** jemalloc's size class for an allocation of n bytes (zmalloc_size). */
function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  const step = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / step) * step;
}

/** Allocation of an sds string of len bytes (type 5 for short keys, as dict keys are). */
function sdsAlloc(len: number, key = false): number {
  const hdr = key && len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return allocSize(hdr + len + 1);
}

/** Bytes a listpack needs for these entries (entry header + data + back-length). */
function listpackBytes(items: Uint8Array[], count: number): number {
  let sum = 0;
  for (const it of items) {
    const len = it.length;
    const hdr = len < 64 ? 1 : len < 4096 ? 2 : 5;
    sum += hdr + len + (hdr + len < 128 ? 1 : 2);
  }
  const avg = items.length > 0 ? sum / items.length : 0;
  return 7 + Math.round(avg * count);
}

const ROBJ = 16;
const DICT_ENTRY = 24;
const DICT = 56;

/** Hash table cost for n entries: the dict, its power-of-two bucket array, the entries. */
function hashtableBytes(n: number): number {
  let buckets = 4;
  while (buckets < n) buckets *= 2;
  return allocSize(DICT) + buckets * 8 + n * DICT_ENTRY;
}

/** objectComputeSize(): the value's allocations, extrapolated from up to `samples` elements. */
function valueMemory(c: Client, db: Db, addr: number, key: Uint8Array, samples: number): number {
  const type = db.type(addr);
  if (type === T_STRING) {
    const len = db.strLen(addr);
    const enc = encodingOf(c, db, addr, key);
    if (enc === "int") return ROBJ;
    if (enc === "embstr") return allocSize(ROBJ + 3 + len + 1);
    return ROBJ + sdsAlloc(len);
  }
  const enc = encodingOf(c, db, addr, key);
  const countCmd = { [T_LIST]: "llen", [T_SET]: "scard", [T_ZSET]: "zcard", [T_HASH]: "hlen", [T_STREAM]: "xlen" }[type];
  const count = countCmd === undefined ? 0 : (query(c, [countCmd, key], (r) => (typeof r === "number" ? r : 0)) ?? 0);
  const n = String(Math.min(samples, Math.max(count, 1)));
  let items: Uint8Array[] = [];
  if (type === T_LIST) items = query(c, ["lrange", key, "0", String(Number(n) - 1)], replyList) ?? [];
  else if (type === T_SET) items = query(c, ["srandmember", key, n], replyList) ?? [];
  else if (type === T_ZSET) items = query(c, ["zrange", key, "0", String(Number(n) - 1), "withscores"], replyList) ?? [];
  else if (type === T_HASH) items = query(c, ["hrandfield", key, n, "withvalues"], replyList) ?? [];
  else if (type === T_STREAM) {
    items = query(c, ["xrange", key, "-", "+", "count", n], (r) => (Array.isArray(r) ? (r.flat(2).filter((x) => x instanceof Uint8Array) as Uint8Array[]) : [])) ?? [];
  }
  const perItem = type === T_ZSET || type === T_HASH ? 2 : 1;
  const sampled = Math.max(1, items.length / perItem);
  let bytesSum = 0;
  for (const it of items) bytesSum += sdsAlloc(it.length);
  const avgElement = bytesSum / sampled;
  switch (enc) {
    case "listpack":
    case "ziplist":
      return ROBJ + allocSize(listpackBytes(items, count * perItem));
    case "intset":
      return ROBJ + allocSize(8 + count * 8);
    case "quicklist": {
      const lp = listpackBytes(items, count);
      const nodes = Math.max(1, Math.ceil(lp / 8192));
      return ROBJ + 48 + nodes * 32 + nodes * allocSize(Math.ceil(lp / nodes));
    }
    case "skiplist":
      return ROBJ + hashtableBytes(count) + 32 + count * (avgElement + 64);
    case "stream":
      return ROBJ + 64 + count * avgElement;
    default:
      return ROBJ + hashtableBytes(count) + count * avgElement;
  }
}

function memoryUsage(c: Client, argv: Uint8Array[]): void {
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], "samples") && j + 1 < argv.length) {
      const v = parseInt64(argv[++j]);
      if (v === null) return c.out.error(NOT_INTEGER);
      if (v < 0) return c.out.error(SYNTAX);
      samples = v === 0 ? Infinity : Number(v);
    } else {
      return c.out.error(SYNTAX);
    }
  }
  const key = argv[2];
  const addr = c.db.peek(key);
  if (addr === 0) return c.out.nil();
  const size = valueMemory(c, c.db, addr, key.slice(), samples);
  c.out.int(Math.round(size) + sdsAlloc(key.length, true) + DICT_ENTRY);
}

function memoryStats(c: Client): void {
  const mu = process.memoryUsage();
  const used = mu.heapUsed;
  const shard = c.shard;
  let keys = 0;
  let dataset = 0;
  const dbs: [number, Db][] = [];
  shard.dbs.forEach((db, i) => {
    keys += db.size;
    dataset += datasetBytes(db);
    if (db.size > 0) dbs.push([i, db]);
  });
  const overhead = Math.max(0, used - dataset);
  const fields: [string, number, boolean][] = [
    ["peak.allocated", Math.max(used, mu.heapTotal), false],
    ["total.allocated", used, false],
    ["startup.allocated", 0, false],
    ["replication.backlog", 0, false],
    ["clients.slaves", 0, false],
    ["clients.normal", 0, false],
    ["cluster.links", 0, false],
    ["aof.buffer", 0, false],
    ["lua.caches", 0, false],
    ["functions.caches", 0, false],
  ];
  const tail: [string, number, boolean][] = [
    ["overhead.total", overhead, false],
    ["keys.count", keys, false],
    ["keys.bytes-per-key", keys > 0 ? Math.trunc(dataset / keys) : 0, false],
    ["dataset.bytes", dataset, false],
    ["dataset.percentage", used > 0 ? (dataset * 100) / used : 0, true],
    ["peak.percentage", 100, true],
    ["allocator.allocated", used, false],
    ["allocator.active", mu.heapTotal, false],
    ["allocator.resident", mu.rss, false],
    ["allocator-fragmentation.ratio", mu.heapTotal / Math.max(1, used), true],
    ["allocator-fragmentation.bytes", mu.heapTotal - used, false],
    ["allocator.rss-ratio", mu.rss / Math.max(1, mu.heapTotal), true],
    ["allocator.rss-bytes", mu.rss - mu.heapTotal, false],
    ["rss-overhead.ratio", 1, true],
    ["rss-overhead.bytes", 0, false],
    ["fragmentation", mu.rss / Math.max(1, used), true],
    ["fragmentation.bytes", mu.rss - used, false],
  ];
  const out = c.out;
  out.map(fields.length + dbs.length + tail.length);
  const emit = ([name, v, dbl]: [string, number, boolean]) => {
    out.bulkStr(name);
    if (dbl) out.double(v);
    else out.int(v);
  };
  fields.forEach(emit);
  for (const [i, db] of dbs) {
    out.bulkStr(`db.${i}`);
    out.map(3);
    out.bulkStr("overhead.hashtable.main");
    out.int(db.buckets * 4);
    out.bulkStr("overhead.hashtable.expires");
    out.int(db.volatileCount * 4);
    out.bulkStr("overhead.hashtable.slot-to-keys");
    out.int(0);
  }
  tail.forEach(emit);
}

function memoryDoctor(c: Client): void {
  let dataset = 0;
  for (const db of c.shard.dbs) dataset += datasetBytes(db);
  if (dataset < 5 * 1024 * 1024) {
    return c.out.verbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.",
    );
  }
  c.out.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
}

function memoryMallocStats(c: Client): void {
  const mu = process.memoryUsage();
  c.out.verbatim(
    `Stats not supported for the current allocator; the Bun ${Bun.version} runtime reports:\n` +
      `used_memory:${usedMemory()} (${bytesToHuman(usedMemory())})\nheap_total:${mu.heapTotal}\nrss:${mu.rss}\nexternal:${mu.external}\narray_buffers:${mu.arrayBuffers}\n`,
  );
}

function memoryPurge(c: Client): void {
  Bun.gc(true);
  c.out.ok();
}

function memoryHelp(c: Client): void {
  replyHelp(c, "MEMORY", [
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
  ]);
}

// ---- CONFIG ------------------------------------------------------------------------------------

function configGet(c: Client, argv: Uint8Array[]): void {
  const pairs = c.shard.config.match(argv.slice(2).map(str));
  c.out.map(pairs.length);
  for (const [name, value] of pairs) {
    c.out.bulkStr(name);
    c.out.bulkStr(value);
  }
}

function configSet(c: Client, argv: Uint8Array[]): void {
  if (argv.length % 2 !== 0) return c.out.error(SYNTAX);
  const pairs: [string, string][] = [];
  for (let j = 2; j < argv.length; j += 2) pairs.push([str(argv[j]), str(argv[j + 1])]);
  const config = c.shard.config;
  let changed: string[];
  try {
    changed = config.set(pairs, isLocalClient(c));
  } catch (e) {
    if (e instanceof ConfigError) return c.out.error(e.message);
    throw e;
  }
  if (changed.length > 0) {
    const changes: Record<string, string> = {};
    for (const name of changed) changes[name] = config.getStr(name);
    self.postMessage({ type: "config", changes });
  }
  c.out.ok();
}

function configResetstat(c: Client): void {
  const shard = c.shard;
  shard.resetStats();
  for (const cmd of allCommands()) {
    resetCommandStats(cmd);
    if (cmd.subcommands) for (const sub of cmd.subcommands.values()) resetCommandStats(sub);
  }
  resetCommandHistograms();
  c.out.ok();
}

function resetCommandStats(cmd: Command): void {
  cmd.calls = 0;
  cmd.usec = 0;
  cmd.rejected = 0;
  cmd.failed = 0;
}

function configRewrite(c: Client): void {
  try {
    c.shard.config.rewrite();
  } catch (e) {
    if (e instanceof ConfigError) return c.out.error(e.message);
    throw e;
  }
  c.shard.log("notice", "CONFIG REWRITE executed with success.");
  c.out.ok();
}

function configHelp(c: Client): void {
  replyHelp(c, "CONFIG", [
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
  ]);
}

// ---- DEBUG -------------------------------------------------------------------------------------

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Redis's object type numbers, as DEBUG DIGEST mixes them in. */
const RDB_TYPE = { [T_STRING]: 0, [T_LIST]: 1, [T_SET]: 2, [T_ZSET]: 3, [T_HASH]: 4, [T_STREAM]: 6 } as Record<number, number>;

function sha1(data: Uint8Array): Uint8Array {
  const h = new Bun.CryptoHasher("sha1");
  h.update(data);
  return new Uint8Array(h.digest().buffer);
}

/** xorDigest() */
function xorDigest(digest: Uint8Array, data: Uint8Array): void {
  const h = sha1(data);
  for (let j = 0; j < 20; j++) digest[j] ^= h[j];
}

/** mixDigest(): digest = SHA1(digest xor SHA1(data)), so order matters. */
function mixDigest(digest: Uint8Array, data: Uint8Array): void {
  xorDigest(digest, data);
  digest.set(sha1(digest));
}

function hex(d: Uint8Array): string {
  let s = "";
  for (const b of d) s += b.toString(16).padStart(2, "0");
  return s;
}

/** xorObjectDigest(): type, value (ordered types mixed, unordered ones xor-ed), expire flag. */
function objectDigest(c: Client, db: Db, addr: number, key: Uint8Array, digest: Uint8Array): void {
  const type = db.type(addr);
  const typeWord = new Uint8Array(4);
  new DataView(typeWord.buffer).setUint32(0, RDB_TYPE[type] ?? type);
  mixDigest(digest, typeWord);
  const hasExpire = db.expireAt(addr) !== -1;
  const pairDigest = (a: Uint8Array, b: Uint8Array) => {
    const ele = new Uint8Array(20);
    mixDigest(ele, a);
    mixDigest(ele, b);
    xorDigest(digest, ele);
  };
  if (type === T_STRING) {
    mixDigest(digest, db.str(addr));
  } else if (type === T_LIST) {
    query(c, ["lrange", key, "0", "-1"], (r) => replyList(r).forEach((e) => mixDigest(digest, e)));
  } else if (type === T_SET) {
    query(c, ["smembers", key], (r) => replyList(r).forEach((e) => xorDigest(digest, e)));
  } else if (type === T_ZSET) {
    query(c, ["zrange", key, "0", "-1", "withscores"], (r) => {
      const l = replyList(r);
      for (let i = 0; i + 1 < l.length; i += 2) pairDigest(l[i], l[i + 1]);
    });
  } else if (type === T_HASH) {
    query(c, ["hgetall", key], (r) => {
      const l = replyList(r);
      for (let i = 0; i + 1 < l.length; i += 2) pairDigest(l[i], l[i + 1]);
    });
  } else if (type === T_STREAM) {
    query(c, ["xrange", key, "-", "+"], (r) => {
      if (!Array.isArray(r)) return;
      for (const entry of r) {
        if (!Array.isArray(entry) || !(entry[0] instanceof Uint8Array)) continue;
        mixDigest(digest, bytes(latin1(entry[0]).replace("-", ".")));
        for (const f of replyList(entry[1] ?? null)) mixDigest(digest, f);
      }
    });
  }
  if (hasExpire) xorDigest(digest, bytes("!!expire!!"));
}

/** computeDatasetDigest() */
function datasetDigest(c: Client): Uint8Array {
  const final = new Uint8Array(20);
  c.shard.dbs.forEach((db, j) => {
    if (db.size === 0) return;
    const idWord = new Uint8Array(4);
    new DataView(idWord.buffer).setUint32(0, j);
    mixDigest(final, idWord);
    const keys: Uint8Array[] = [];
    db.forEach((addr) => keys.push(db.keyOf(addr).slice()));
    const savedIndex = c.dbIndex;
    c.select(j);
    try {
      for (const key of keys) {
        const addr = db.peek(key);
        if (addr === 0) continue;
        const digest = new Uint8Array(20);
        mixDigest(digest, key);
        objectDigest(c, db, addr, key, digest);
        xorDigest(final, digest);
      }
    } finally {
      c.select(savedIndex);
    }
  });
  return final;
}

function debugObject(c: Client, key: Uint8Array): void {
  const db = c.db;
  const addr = db.peek(key);
  if (addr === 0) return c.out.error(NO_SUCH_KEY);
  const enc = encodingOf(c, db, addr, key);
  let refcount = 1;
  if (enc === "int") {
    const v = parseInt64(db.str(addr));
    if (typeof v === "number" && v >= 0 && v < 10000) refcount = 2147483647;
  }
  // DUMP is the RDB serialization: type byte + object + 2-byte version + 8-byte CRC.
  const dumped = query(c, ["dump", key], (r) => (r instanceof Uint8Array ? r.length - 11 : null));
  const serialized = dumped ?? (db.type(addr) === T_STRING ? rdbStringLen(db.str(addr)) : 0);
  const lru = db.lru(addr) & 0xffffff;
  const idle = Math.max(0, (lruClock() & 0xffffff) - lru);
  c.out.simple(`Value at:0x7f${addr.toString(16).padStart(10, "0")} refcount:${refcount} encoding:${enc} serializedlength:${serialized} lru:${lru} lru_seconds_idle:${idle}`);
}

/** rdbSaveRawString() size without compression: integer encodings, else length + bytes. */
function rdbStringLen(v: Uint8Array): number {
  const n = v.length <= 11 ? parseInt64(v) : null;
  if (typeof n === "number") {
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  return (v.length < 64 ? 1 : v.length < 16384 ? 2 : 5) + v.length;
}

function debugProtocol(c: Client, kind: string): void {
  const out = c.out;
  switch (kind) {
    case "string":
      return out.bulkStr("Hello World");
    case "integer":
      return out.int(12345);
    case "double":
      return out.double(3.141);
    case "bignum":
      return out.bigNumber(1234567999999999999999999999999999999n);
    case "null":
      return out.nil();
    case "array":
    case "set":
      if (kind === "array") out.array(3);
      else out.set(3);
      for (let j = 0; j < 3; j++) out.int(j);
      return;
    case "map":
      out.map(3);
      for (let j = 0; j < 3; j++) {
        out.int(j);
        out.bool(j === 1);
      }
      return;
    case "attrib":
      if (out.proto === 3) {
        out.raw(bytes("|1\r\n"));
        out.bulkStr("key-popularity");
        out.array(2);
        out.bulkStr("key:123");
        out.int(90);
      }
      return out.bulkStr("Some real reply following the attribute");
    case "push":
      if (out.proto < 3) return out.error("ERR RESP2 is not supported by this command");
      out.push(2);
      out.bulkStr("server-cpu-usage");
      out.int(42);
      return out.bulkStr("Some real reply following the push reply");
    case "true":
      return out.bool(true);
    case "false":
      return out.bool(false);
    case "verbatim":
      return out.verbatim("This is a verbatim\nstring");
    default:
      return out.error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

function debugPopulate(c: Client, argv: Uint8Array[]): void {
  const count = parseInt64(argv[2]);
  if (count === null) return c.out.error(NOT_INTEGER);
  if (count < 0) return c.out.error("ERR value is out of range, must be positive");
  let size = 0;
  if (argv.length === 5) {
    const s = parseSafeInt(argv[4]);
    if (s === null) return c.out.error(NOT_INTEGER);
    if (s < 0) return c.out.error("ERR value is out of range, must be positive");
    size = s;
  }
  const prefix = argv.length >= 4 ? latin1(argv[3]) : "key";
  const db = c.db;
  const n = Number(count);
  for (let j = 0; j < n; j++) {
    const key = bytes(`${prefix}:${j}`);
    if (db.lookup(key) !== 0) continue;
    const text = bytes(`value:${j}`);
    let val = text;
    if (size > 0) {
      val = new Uint8Array(size);
      val.set(text.subarray(0, size));
    }
    db.setStr(key, val);
    c.shard.keyModified(c.dbIndex, key);
  }
  c.out.ok();
}

function debugHtstats(c: Client, argv: Uint8Array[]): void {
  const id = parseSafeInt(argv[2]);
  if (id === null) return c.out.error(NOT_INTEGER);
  if (id < 0 || id >= c.shard.dbs.length) return c.out.error("ERR Out of range database");
  const db = c.shard.dbs[id];
  const table = (n: number, size: number) =>
    n === 0 ? "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n" : `Hash table 0 stats (main hash table):\n table size: ${size}\n number of elements: ${n}\n`;
  c.out.verbatim(`[Dictionary HT]\n${table(db.size, db.buckets)}[Expires HT]\n${table(db.volatileCount, db.buckets)}`);
}

function debugEncodingDump(c: Client, key: Uint8Array, want: string, banner: string, errorText: string): void {
  const addr = c.db.peek(key);
  if (addr === 0) return c.out.error(NO_SUCH_KEY);
  const enc = encodingOf(c, c.db, addr, key);
  if (enc !== want) return c.out.error(errorText);
  c.shard.log("notice", `DEBUG ${want.toUpperCase()} ${latin1(key)}: ${enc} encoding`);
  c.out.simple(banner);
}

const DEBUG_HELP = [
  "CHANGE-REPL-ID",
  "    Change the replication IDs of the instance.",
  "    Dangerous: should be used only for testing the replication subsystem.",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "ERROR <string>",
  "    Return a Redis protocol error with <string> as message. Useful for clients",
  "    unit tests to simulate Redis errors.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "HTSTATS <dbid>",
  "    Return hash table statistics of the specified Redis database.",
  "LOADAOF",
  "    Flush the AOF buffers on disk and reload the AOF in memory.",
  "OBJECT <key>",
  "    Show low level info about `key` and associated value.",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num>. If <prefix> is specified then",
  "    it is used instead of the 'key' prefix. These are not propagated to",
  "    replicas. Cluster slots are not respected so keys not belonging to the",
  "    current node can be created in cluster mode.",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "RELOAD [option ...]",
  "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
  "    * MERGE: conflicting keys will be loaded from RDB.",
  "    * NOFLUSH: the existing database will not be removed before load, but",
  "      conflicting keys will generate an exception and kill the server.",
  "    * NOSAVE: the database will be loaded from an existing RDB file.",
  "    Examples:",
  "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
  "      the database.",
  "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
  "      existing RDB file.",
  "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
  "      file to the database.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "QUICKLIST-PACKED-THRESHOLD <size>",
  "    Sets the threshold for elements to be inserted as plain vs packed nodes",
  "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
  "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
  "    In case NEVER is provided the last observed peak will never be reset",
  "    In case RESET is provided the peak reset time will be restored to the default value",
  "REPLYBUFFER RESIZING <0|1>",
  "    Enable or disable the reply buffer resize cron job",
  "LISTPACK <key>",
  "    Show low level info about the listpack encoding of <key>.",
  "QUICKLIST <key> [<0|1>]",
  "    Show low level info about the quicklist encoding of <key>.",
  "    The optional argument (0 by default) sets the level of detail",
];

/** C atoi(): leading integer digits, 0 if none. */
function atoi(b: Uint8Array): number {
  const n = Number.parseInt(latin1(b), 10);
  return Number.isNaN(n) ? 0 : n;
}

function debug(c: Client, argv: Uint8Array[]): void {
  const sub = lower(argv[1]);
  const argc = argv.length;
  if (sub === "help" && argc === 2) return replyHelp(c, "DEBUG", DEBUG_HELP);
  if (sub === "sleep" && argc === 3) {
    const seconds = Number.parseFloat(latin1(argv[2]));
    const ms = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
    if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
    return c.out.ok();
  }
  if (sub === "set-active-expire" && argc === 3) {
    c.shard.activeExpire = atoi(argv[2]) !== 0;
    return c.out.ok();
  }
  if (sub === "set-disable-deny-scripts" && argc === 3) {
    scripting(c.shard).disableDenyScripts = atoi(argv[2]) !== 0;
    return c.out.ok();
  }
  if (sub === "object" && argc === 3) return debugObject(c, argv[2]);
  if (sub === "log" && argc === 3) {
    c.shard.log("warning", `DEBUG LOG: ${latin1(argv[2])}`);
    return c.out.ok();
  }
  if (sub === "error" && argc === 3) return c.out.error(latin1(argv[2]));
  if (sub === "change-repl-id" && argc === 2) {
    c.shard.log("warning", "Changing replication IDs after receiving DEBUG change-repl-id");
    replication.replid = randomHex(40);
    replication.replid2 = "0".repeat(40);
    replication.secondOffset = -1;
    return c.out.ok();
  }
  if (sub === "quicklist-packed-threshold" && argc === 3) {
    const sz = parseMemory(latin1(argv[2]));
    if (sz === null || sz > 2 ** 32 - 2 ** 20) return c.out.error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    debugKnobs.quicklistPackedThreshold = sz === 0 ? 1 << 30 : sz;
    return c.out.ok();
  }
  if (sub === "protocol" && argc === 3) return debugProtocol(c, lower(argv[2]));
  if (sub === "digest" && argc === 2) return c.out.simple(hex(datasetDigest(c)));
  if (sub === "digest-value" && argc >= 2) {
    c.out.array(argc - 2);
    const digests = argv.slice(2).map((k) => {
      const d = new Uint8Array(20);
      const addr = c.db.peek(k);
      if (addr !== 0) objectDigest(c, c.db, addr, k.slice(), d);
      return hex(d);
    });
    for (const d of digests) c.out.simple(d);
    return;
  }
  if (sub === "replybuffer" && argc === 4) {
    if (is(argv[2], "peak-reset-time")) {
      if (is(argv[3], "never")) replyBuffers.peakResetMs = -1;
      else if (is(argv[3], "reset")) replyBuffers.peakResetMs = 5000;
      else {
        const ms = parseSafeInt(argv[3]);
        if (ms === null) return c.out.error(NOT_INTEGER);
        replyBuffers.peakResetMs = ms;
      }
    } else if (is(argv[2], "resizing")) {
      replyBuffers.resizing = atoi(argv[3]) !== 0;
    } else {
      return subcommandSyntaxError(c, argv);
    }
    return c.out.ok();
  }
  if (sub === "populate" && argc >= 3 && argc <= 5) return debugPopulate(c, argv);
  if (sub === "reload") return persistenceOf(c.shard).debugReload(c, argv);
  if (sub === "loadaof" && argc === 2) return persistenceOf(c.shard).debugLoadAof(c);
  if (sub === "htstats" && argc >= 3) return debugHtstats(c, argv);
  if (sub === "listpack" && argc === 3) return debugEncodingDump(c, argv[2], "listpack", "Listpack structure printed on stdout", "ERR Not a listpack encoded object.");
  if (sub === "quicklist" && (argc === 3 || argc === 4)) {
    return debugEncodingDump(c, argv[2], "quicklist", "Quicklist structure printed on stdout", "ERR Not a quicklist encoded object.");
  }
  subcommandSyntaxError(c, argv);
}

const ADMIN = ["admin", "noscript", "loading", "stale"];

register(
  { name: "info", arity: -1, flags: ["loading", "stale", "sentinel"], group: "server", since: "1.0.0", summary: "Get information and statistics about the server", complexity: "O(1)", acl: ["dangerous", "slow"], tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], handler: info },
  { name: "dbsize", arity: 1, flags: ["readonly", "fast"], group: "server", since: "1.0.0", summary: "Return the number of keys in the selected database", complexity: "O(1)", acl: ["keyspace", "read", "fast"], tips: ["request_policy:all_shards", "response_policy:agg_sum"], handler: dbsize },
  { name: "flushdb", arity: -1, flags: ["write"], group: "server", since: "1.0.0", summary: "Remove all keys from the current database", complexity: "O(N) where N is the number of keys in the selected database", acl: ["keyspace", "write", "slow", "dangerous"], tips: ["request_policy:all_shards", "response_policy:all_succeeded"], handler: flushdb },
  { name: "flushall", arity: -1, flags: ["write"], group: "server", since: "1.0.0", summary: "Remove all keys from all databases", complexity: "O(N) where N is the total number of keys in all databases", acl: ["keyspace", "write", "slow", "dangerous"], tips: ["request_policy:all_shards", "response_policy:all_succeeded"], handler: flushall },
  { name: "time", arity: 1, flags: ["loading", "stale", "fast"], group: "server", since: "2.6.0", summary: "Return the current server time", complexity: "O(1)", tips: ["nondeterministic_output"], handler: time },
  { name: "lastsave", arity: 1, flags: ["loading", "stale", "fast"], group: "server", since: "1.0.0", summary: "Get the UNIX time stamp of the last successful save to disk", complexity: "O(1)", acl: ["admin", "fast", "dangerous"], tips: ["nondeterministic_output"], handler: lastsave },
  { name: "shutdown", arity: -1, flags: ["admin", "noscript", "loading", "stale", "no_multi", "sentinel", "allow_busy"], group: "server", since: "1.0.0", summary: "Synchronously save the dataset to disk and then shut down the server", complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", handler: shutdown },
  { name: "monitor", arity: 1, flags: ADMIN, group: "server", since: "1.0.0", summary: "Listen for all requests received by the server in real time", handler: monitor },
  {
    name: "slowlog", arity: -2, group: "server", since: "2.2.12", summary: "A container for slow log commands", complexity: "Depends on subcommand.",
    subcommands: [
      { name: "get", arity: -2, flags: ["admin", "loading", "stale"], group: "server", since: "2.2.12", summary: "Get the slow log's entries", complexity: "O(N) where N is the number of entries returned", tips: ["request_policy:all_nodes", "nondeterministic_output"], handler: slowlogGet },
      { name: "help", arity: 2, flags: ["loading", "stale"], group: "server", since: "6.2.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: slowlogHelp },
      { name: "len", arity: 2, flags: ["admin", "loading", "stale"], group: "server", since: "2.2.12", summary: "Get the slow log's length", complexity: "O(1)", tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"], handler: slowlogLen },
      { name: "reset", arity: 2, flags: ["admin", "loading", "stale"], group: "server", since: "2.2.12", summary: "Clear all entries from the slow log", complexity: "O(N) where N is the number of entries in the slowlog", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], handler: slowlogResetCmd },
    ],
  },
  {
    name: "latency", arity: -2, group: "server", since: "2.8.13", summary: "A container for latency diagnostics commands", complexity: "Depends on subcommand.",
    subcommands: [
      { name: "doctor", arity: 2, flags: ADMIN, group: "server", since: "2.8.13", summary: "Return a human readable latency analysis report.", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], handler: latencyDoctor },
      { name: "graph", arity: 3, flags: ADMIN, group: "server", since: "2.8.13", summary: "Return a latency graph for the event.", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], handler: latencyGraphCmd },
      { name: "help", arity: 2, flags: ["loading", "stale"], group: "server", since: "2.8.13", summary: "Show helpful text about the different subcommands.", complexity: "O(1)", handler: latencyHelp },
      { name: "histogram", arity: -2, flags: ADMIN, group: "server", since: "7.0.0", summary: "Return the cumulative distribution of latencies of a subset of commands or all.", complexity: "O(N) where N is the number of commands with latency information being retrieved.", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], handler: latencyHistogram },
      { name: "history", arity: 3, flags: ADMIN, group: "server", since: "2.8.13", summary: "Return timestamp-latency samples for the event.", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], handler: latencyHistory },
      { name: "latest", arity: 2, flags: ADMIN, group: "server", since: "2.8.13", summary: "Return the latest latency samples for all events.", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"], handler: latencyLatest },
      { name: "reset", arity: -2, flags: ADMIN, group: "server", since: "2.8.13", summary: "Reset latency data for one or more events.", complexity: "O(1)", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], handler: latencyReset },
    ],
  },
  {
    name: "memory", arity: -2, group: "server", since: "4.0.0", summary: "A container for memory diagnostics commands", complexity: "Depends on subcommand.",
    subcommands: [
      { name: "doctor", arity: 2, group: "server", since: "4.0.0", summary: "Outputs memory problems report", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], handler: memoryDoctor },
      { name: "help", arity: 2, flags: ["loading", "stale"], group: "server", since: "4.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: memoryHelp },
      { name: "malloc-stats", arity: 2, group: "server", since: "4.0.0", summary: "Show allocator internal stats", complexity: "Depends on how much memory is allocated, could be slow", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], handler: memoryMallocStats },
      { name: "purge", arity: 2, group: "server", since: "4.0.0", summary: "Ask the allocator to release memory", complexity: "Depends on how much memory is allocated, could be slow", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], handler: memoryPurge },
      { name: "stats", arity: 2, group: "server", since: "4.0.0", summary: "Show memory usage details", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], handler: memoryStats },
      { name: "usage", arity: -3, flags: ["readonly"], keys: [2, 2, 1], group: "server", since: "4.0.0", summary: "Estimate the memory usage of a key", complexity: "O(N) where N is the number of samples.", handler: memoryUsage },
    ],
  },
  {
    name: "config", arity: -2, group: "server", since: "2.0.0", summary: "A container for server configuration commands", complexity: "Depends on subcommand.",
    subcommands: [
      { name: "get", arity: -3, flags: ADMIN, group: "server", since: "2.0.0", summary: "Get the values of configuration parameters", complexity: "O(N) when N is the number of configuration parameters provided", handler: configGet },
      { name: "help", arity: 2, flags: ["loading", "stale"], group: "server", since: "5.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: configHelp },
      { name: "resetstat", arity: 2, flags: ADMIN, group: "server", since: "2.0.0", summary: "Reset the stats returned by INFO", complexity: "O(1)", handler: configResetstat },
      { name: "rewrite", arity: 2, flags: ADMIN, group: "server", since: "2.8.0", summary: "Rewrite the configuration file with the in memory configuration", complexity: "O(1)", handler: configRewrite },
      { name: "set", arity: -4, flags: ADMIN, group: "server", since: "2.0.0", summary: "Set configuration parameters to the given values", complexity: "O(N) when N is the number of configuration parameters provided", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], handler: configSet },
    ],
  },
  { name: "debug", arity: -2, flags: ["admin", "noscript", "loading", "stale", "protected"], group: "server", since: "1.0.0", summary: "A container for debugging commands", complexity: "Depends on subcommand.", handler: debug },
);
