// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX/XX/GT/LT), TTL, PTTL,
// EXPIRETIME, PEXPIRETIME, PERSIST.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { lookupRead } from "./keys.ts";
import { INT64_MAX, INT64_MIN, bytes, is, parseInt64, str } from "../util/bytes.ts";
import { INVALID_EXPIRE, NOT_INTEGER } from "../server/errors.ts";

const PEXPIREAT = bytes("PEXPIREAT");
const DEL = bytes("DEL");
const UNLINK = bytes("UNLINK");

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** Below this magnitude seconds → ms plus a base time stays exact in a double. */
const EXACT_SECONDS = 9e12;

/** The NX/XX/GT/LT flags after the time argument, or -1 after replying with an error. */
function parseFlags(c: Client, argv: Uint8Array[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    if (is(a, "nx")) flags |= NX;
    else if (is(a, "xx")) flags |= XX;
    else if (is(a, "gt")) flags |= GT;
    else if (is(a, "lt")) flags |= LT;
    else {
      c.out.error(`ERR Unsupported option ${str(a)}`);
      return -1;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return -1;
  }
  if (flags & GT && flags & LT) {
    c.out.error("ERR GT and LT options at the same time are not compatible");
    return -1;
  }
  return flags;
}

/**
 * The absolute expire time in ms for `value` (seconds or ms, relative to baseMs), or null
 * when the conversion overflows a signed 64-bit integer as in Redis.
 */
function absoluteMs(value: number | bigint, seconds: boolean, baseMs: number): number | null {
  if (typeof value === "number" && Math.abs(value) < EXACT_SECONDS) return (seconds ? value * 1000 : value) + baseMs;
  let when = BigInt(value);
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return null;
    when *= 1000n;
  }
  const base = BigInt(baseMs);
  if (when > INT64_MAX - base) return null;
  return Number(when + base);
}

/** Redis's expireGenericCommand. */
function expireGeneric(c: Client, argv: Uint8Array[], name: string, relative: boolean, seconds: boolean): void {
  const flags = parseFlags(c, argv);
  if (flags < 0) return;
  const value = parseInt64(argv[2]);
  if (value === null) return c.out.error(NOT_INTEGER);
  const now = Date.now();
  const when = absoluteMs(value, seconds, relative ? now : 0);
  if (when === null) return c.out.error(INVALID_EXPIRE(name));

  const db = c.db;
  const key = argv[1];
  const addr = db.lookup(key);
  if (addr === 0) return c.out.int(0);
  if (flags !== 0) {
    const current = db.expireAt(addr);
    if (flags & NX && current !== -1) return c.out.int(0);
    if (flags & XX && current === -1) return c.out.int(0);
    // No expire counts as an infinite TTL: GT never beats it, LT always does.
    if (flags & GT && (current === -1 || when <= current)) return c.out.int(0);
    if (flags & LT && current !== -1 && when >= current) return c.out.int(0);
  }

  // A replica keeps keys with a past expire and waits for the master's DEL.
  if (when <= now && db.deleteExpired) {
    db.removeAddr(addr);
    c.rewrite([c.shard.config.getBool("lazyfree-lazy-expire") ? UNLINK : DEL, key]);
    c.written(key, "del", "g");
    return c.out.int(1);
  }
  db.setExpire(addr, when);
  // Replicas and the AOF get the absolute time, so the TTL does not restart on replay.
  if (relative || seconds) c.rewrite([PEXPIREAT, key, bytes(String(when)), ...argv.slice(3)]);
  c.written(key, "expire", "g");
  c.out.int(1);
}

function expire(c: Client, argv: Uint8Array[]): void {
  expireGeneric(c, argv, "expire", true, true);
}

function pexpire(c: Client, argv: Uint8Array[]): void {
  expireGeneric(c, argv, "pexpire", true, false);
}

function expireat(c: Client, argv: Uint8Array[]): void {
  expireGeneric(c, argv, "expireat", false, true);
}

function pexpireat(c: Client, argv: Uint8Array[]): void {
  expireGeneric(c, argv, "pexpireat", false, false);
}

/** Redis's ttlGenericCommand: -2 missing, -1 no expire, else remaining or absolute time. */
function ttlGeneric(c: Client, argv: Uint8Array[], ms: boolean, absolute: boolean): void {
  const addr = lookupRead(c, argv[1], false);
  if (addr === 0) return c.out.int(-2);
  const at = c.db.expireAt(addr);
  if (at === -1) return c.out.int(-1);
  let ttl = absolute ? at : at - Date.now();
  if (ttl < 0) ttl = 0;
  c.out.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttl(c: Client, argv: Uint8Array[]): void {
  ttlGeneric(c, argv, false, false);
}

function pttl(c: Client, argv: Uint8Array[]): void {
  ttlGeneric(c, argv, true, false);
}

function expiretime(c: Client, argv: Uint8Array[]): void {
  ttlGeneric(c, argv, false, true);
}

function pexpiretime(c: Client, argv: Uint8Array[]): void {
  ttlGeneric(c, argv, true, true);
}

function persist(c: Client, argv: Uint8Array[]): void {
  const addr = c.db.lookup(argv[1]);
  if (addr === 0 || !c.db.clearExpire(addr)) return c.out.int(0);
  c.written(argv[1], "persist", "g");
  c.out.int(1);
}

const SET_EXPIRE = { flags: ["write", "fast"], keys: [1, 1, 1] as [number, number, number], group: "generic", complexity: "O(1)" };
const READ_TTL = { flags: ["readonly", "fast"], keys: [1, 1, 1] as [number, number, number], group: "generic", complexity: "O(1)" };

register(
  { name: "expire", arity: -3, ...SET_EXPIRE, since: "1.0.0", summary: "Set a key's time to live in seconds", handler: expire },
  { name: "pexpire", arity: -3, ...SET_EXPIRE, since: "2.6.0", summary: "Set a key's time to live in milliseconds", handler: pexpire },
  { name: "expireat", arity: -3, ...SET_EXPIRE, since: "1.2.0", summary: "Set the expiration for a key as a UNIX timestamp", handler: expireat },
  {
    name: "pexpireat", arity: -3, ...SET_EXPIRE, since: "2.6.0",
    summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", handler: pexpireat,
  },
  { name: "ttl", arity: 2, ...READ_TTL, since: "1.0.0", summary: "Get the time to live for a key in seconds", tips: ["nondeterministic_output"], handler: ttl },
  { name: "pttl", arity: 2, ...READ_TTL, since: "2.6.0", summary: "Get the time to live for a key in milliseconds", tips: ["nondeterministic_output"], handler: pttl },
  { name: "expiretime", arity: 2, ...READ_TTL, since: "7.0.0", summary: "Get the expiration Unix timestamp for a key", handler: expiretime },
  {
    name: "pexpiretime", arity: 2, ...READ_TTL, since: "7.0.0",
    summary: "Get the expiration Unix timestamp for a key in milliseconds", handler: pexpiretime,
  },
  { name: "persist", arity: 2, ...SET_EXPIRE, since: "2.2.0", summary: "Remove the expiration from a key", handler: persist },
);
