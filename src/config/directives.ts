// The directive table: every configuration option redis-server 7.0.15 knows (config.c's
// static_configs plus what 7.0.x patch releases added), with its type, bounds, default,
// flags and the exact error texts, plus tsredis's own options. Values live in Config;
// this file knows how to parse one directive's arguments, show the value the way CONFIG GET
// does and turn it back into redis.conf lines for CONFIG REWRITE.

import { statSync, accessSync, constants as fsConstants } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { parseInt64, parseDouble } from "../util/bytes.ts";

/** A value was rejected; the message is Redis's error body ("argument must be ..."). */
export class DirectiveError extends Error {}

/** Read access to the other directives, for checks and rewrites that look across options. */
export interface ConfigView {
  /** CONFIG GET value of a directive (canonical or alias name). */
  get(name: string): string | undefined;
  readonly configFile: string | null;
}

export interface ParseContext {
  view: ConfigView;
  /** A file, command-line or snapshot value rather than CONFIG SET. */
  fromFile: boolean;
  /**
   * Redis's load flags: `save` lines accumulate while a config text is being read, and
   * the default save points go on the first one. Like Redis, `reading` is already off
   * for the rest of a file once an include has finished.
   */
  load: { reading: boolean; saveLoaded: boolean };
}

/** One redis.conf line and whether it must be written even when the file lacks the option. */
export type RewriteLine = [line: string, force: boolean];

interface Common {
  name: string;
  alias?: string;
  /** CONFIG SET refuses: "can't set immutable config". */
  immutable?: true;
  /** CONFIG SET needs enable-protected-configs: "can't set protected config". */
  protected?: true;
  /** Left out of CONFIG GET glob matches; an exact name still works. */
  hidden?: true;
}

export interface BoolDirective extends Common {
  type: "bool";
  default: boolean;
  validate?: (v: boolean) => string | null;
}

export interface NumDirective extends Common {
  type: "num";
  default: bigint;
  min: bigint;
  max: bigint;
  /** C unsigned storage (unsigned int, size_t, unsigned long long): bounds compare unsigned. */
  unsigned?: true;
  memory?: true;
  /** Accepts "N%", stored negated as Redis does. */
  percent?: true;
  octal?: true;
  /** Accepted range that is silently clamped afterwards (hz). */
  clamp?: [bigint, bigint];
  /** CONFIG SET (not the config file) raises smaller values to this (repl-backlog-size). */
  setMin?: bigint;
}

export interface EnumDirective extends Common {
  type: "enum";
  values: readonly (readonly [string, number])[];
  default: number;
  /** Several words OR-ed together (shutdown-on-sigint). */
  bitflags?: true;
  validate?: (v: number) => string | null;
}

export interface StringDirective extends Common {
  type: "string";
  /** null: the option can be unset, which "" does; CONFIG GET shows "" and REWRITE drops it. */
  default: string | null;
  validate?: (v: string, view: ConfigView) => string | null;
}

export interface SpecialDirective<V = unknown> extends Common {
  type: "special";
  /** Takes any number of arguments in a file; CONFIG SET splits its value on spaces. */
  multiArg?: true;
  init(): V;
  /** Returns the new value; never mutates prev. Throws DirectiveError. */
  parse(args: string[], prev: V, ctx: ParseContext): V;
  format(v: V): string;
  /** Lines for REWRITE; [] removes the option from the file. */
  rewrite(v: V, view: ConfigView): RewriteLine[];
}

export type Directive = BoolDirective | NumDirective | EnumDirective | StringDirective | SpecialDirective;

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LLONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;
const MB = 1024n * 1024n;

// ---------------------------------------------------------------------------------------
// C-library parsing rules the directives rely on

/** strtoll(): leading blanks and a sign allowed; `end` is where parsing stopped (0 when no digits). */
function strtoll(s: string, base = 10): { value: bigint; end: number; overflow: boolean } {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d >= base) break;
    v = v * b + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  if (neg) v = -v;
  const overflow = v > LLONG_MAX || v < -LLONG_MAX - 1n;
  if (v > LLONG_MAX) v = LLONG_MAX;
  if (v < -LLONG_MAX - 1n) v = -LLONG_MAX - 1n;
  return { value: v, end: i, overflow };
}

/** strtoll() that must consume the whole string, as Redis checks `*eptr == '\0'`. */
function strtollAll(s: string): bigint | null {
  const r = strtoll(s);
  return r.end === s.length ? r.value : null;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Redis string2ll(): strict integer, no sign but '-', no leading zeros, fits int64. */
function string2ll(s: string): bigint | null {
  const v = parseInt64(new TextEncoder().encode(s));
  return v === null ? null : BigInt(v);
}

const MEM_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: MB,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * MB,
};

/**
 * Redis memtoull(): digits then an optional unit (b, k, kb, m, mb, g, gb, any case).
 * Like Redis, "" and a bare unit mean 0, too many digits saturate and the product wraps
 * at 2^64. Returns null where Redis reports an error.
 */
export function memtoull(s: string): bigint | null {
  if (s.startsWith("-")) return null;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const mul = MEM_UNITS[s.slice(i).toLowerCase()];
  if (mul === undefined || i >= 128) return null;
  let v = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (v > ULLONG_MAX) v = ULLONG_MAX;
  return BigInt.asUintN(64, v * mul);
}

/** redis.conf notation for a byte count, as CONFIG REWRITE writes it (gb, mb, kb or bytes). */
function formatMemory(bytes: bigint): string {
  const gb = 1024n * MB;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % MB === 0n) return `${bytes / MB}mb`;
  if (bytes !== 0n && bytes % 1024n === 0n) return `${bytes / 1024n}kb`;
  return `${bytes}`;
}

/** sdscatrepr(): a double-quoted, escaped form that splitConfigLine reads back. */
export function repr(s: string): string {
  let out = '"';
  for (const c of new TextEncoder().encode(s)) {
    if (c === 0x5c || c === 0x22) out += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
    else out += "\\x" + c.toString(16).padStart(2, "0");
  }
  return out + '"';
}

/** strerror() text for the errno codes file operations report. */
export function strerror(e: unknown): string {
  const code = (e as { code?: string } | null)?.code ?? "";
  return ERRNO_TEXT[code] ?? (e instanceof Error ? e.message : String(e));
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EROFS: "Read-only file system",
  ENOSPC: "No space left on device",
  EDQUOT: "Disk quota exceeded",
  EEXIST: "File exists",
  ENAMETOOLONG: "File name too long",
  ELOOP: "Too many levels of symbolic links",
  EMFILE: "Too many open files",
  EIO: "Input/output error",
  EBUSY: "Device or resource busy",
  EXDEV: "Invalid cross-device link",
};

// ---------------------------------------------------------------------------------------
// Generic types: parse, CONFIG GET text, REWRITE lines

/** Parse one directive's arguments into its new value (arity already checked by the caller). */
export function parseValue(d: Directive, args: string[], prev: unknown, ctx: ParseContext): unknown {
  switch (d.type) {
    case "bool": {
      const a = args[0].toLowerCase();
      if (a !== "yes" && a !== "no") throw new DirectiveError("argument must be 'yes' or 'no'");
      const err = d.validate?.(a === "yes");
      if (err) throw new DirectiveError(err);
      return a === "yes";
    }
    case "num": {
      const v = parseNumeric(d, args[0]);
      return !ctx.fromFile && d.setMin !== undefined && v < d.setMin ? d.setMin : v;
    }
    case "enum": {
      const v = enumValue(d, args);
      if (v === null) throw new DirectiveError(`argument(s) must be one of the following: ${d.values.map((e) => e[0]).join(", ")}`);
      const err = d.validate?.(v);
      if (err) throw new DirectiveError(err);
      return v;
    }
    case "string": {
      const err = d.validate?.(args[0], ctx.view);
      if (err) throw new DirectiveError(err);
      return d.default === null && args[0] === "" ? null : args[0];
    }
    case "special":
      return d.parse(args, prev, ctx);
  }
}

/** The CONFIG GET text of a value. */
export function formatValue(d: Directive, v: unknown): string {
  switch (d.type) {
    case "bool":
      return v ? "yes" : "no";
    case "num": {
      const n = v as bigint;
      if (d.percent && n < 0n) return `${-n}%`;
      return d.octal ? n.toString(8) : n.toString();
    }
    case "enum":
      return enumName(d, v as number);
    case "string":
      return (v as string | null) ?? "";
    case "special":
      return d.format(v);
  }
}

/** REWRITE lines of a value, with Redis's "force" rule (written when not at its default). */
export function rewriteValue(d: Directive, v: unknown, view: ConfigView): RewriteLine[] {
  switch (d.type) {
    case "bool":
      return [[`${d.name} ${v ? "yes" : "no"}`, v !== d.default]];
    case "num": {
      const n = v as bigint;
      const force = n !== d.default;
      if (d.percent && n < 0n) return [[`${d.name} ${-n}%`, force]];
      if (d.memory) return [[`${d.name} ${formatMemory(BigInt.asIntN(64, n))}`, force]];
      if (d.octal) return [[`${d.name} ${n.toString(8)}`, force]];
      return [[`${d.name} ${n}`, force]];
    }
    case "enum":
      return [[`${d.name} ${enumName(d, v as number)}`, v !== d.default]];
    case "string": {
      const s = v as string | null;
      if (s === null) return [];
      return [[`${d.name} ${repr(s)}`, d.default === null || s !== d.default]];
    }
    case "special":
      return d.rewrite(v, view);
  }
}

/** Takes several arguments: any number in a file, and CONFIG SET splits its value on spaces. */
export function isMultiArg(d: Directive): boolean {
  return d.type === "special" ? d.multiArg === true : d.type === "enum" && d.bitflags === true;
}

/** Initial value of a directive. */
export function initialValue(d: Directive): unknown {
  return d.type === "special" ? d.init() : d.default;
}

function parseNumeric(d: NumDirective, s: string): bigint {
  let ll: bigint | null = null;
  if (d.memory) {
    const m = memtoull(s);
    if (m !== null) ll = BigInt.asIntN(64, m);
  }
  if (ll === null && d.percent && s.length > 1 && s.endsWith("%")) {
    const p = string2ll(s.slice(0, -1));
    if (p !== null && p >= 0n) ll = -p;
  }
  if (ll === null && d.octal) {
    const r = strtoll(s, 8);
    if (!r.overflow && r.end === s.length) ll = r.value;
  }
  if (ll === null && !d.memory && !d.percent && !d.octal) ll = string2ll(s);
  if (ll === null) {
    throw new DirectiveError(
      d.memory && d.percent
        ? "argument must be a memory or percent value"
        : d.memory
          ? "argument must be a memory value"
          : d.octal
            ? "argument couldn't be parsed as an octal number"
            : "argument couldn't be parsed into an integer",
    );
  }
  if (d.unsigned) {
    const u = BigInt.asUintN(64, ll);
    const lo = BigInt.asUintN(64, d.min);
    const hi = BigInt.asUintN(64, d.max);
    if (u > hi || u < lo) {
      const fmt = (x: bigint) => (d.octal ? x.toString(8) : x.toString());
      throw new DirectiveError(`argument must be between ${fmt(lo)} and ${fmt(hi)} inclusive`);
    }
    return u;
  }
  if (d.percent && ll < 0n) {
    if (ll < d.min) throw new DirectiveError(`percentage argument must be less or equal to ${-d.min}`);
  } else if (ll > d.max || ll < d.min) {
    throw new DirectiveError(`argument must be between ${d.min} and ${d.max} inclusive`);
  }
  if (d.clamp) {
    if (ll < d.clamp[0]) return d.clamp[0];
    if (ll > d.clamp[1]) return d.clamp[1];
  }
  return ll;
}

function enumValue(d: EnumDirective, args: string[]): number | null {
  if (args.length === 0 || (!d.bitflags && args.length !== 1)) return null;
  let v = 0;
  for (const a of args) {
    const l = a.toLowerCase();
    const hit = d.values.filter((e) => e[0] === l);
    if (hit.length === 0) return null;
    for (const e of hit) v |= e[1];
  }
  return v;
}

/** configEnumGetName(): the first exact match, else (bitflags) the words covering the bits. */
function enumName(d: EnumDirective, v: number): string {
  const names: string[] = [];
  let unmatched = v;
  for (const [name, val] of d.values) {
    if (val === v) return name;
    if (d.bitflags && val !== 0 && (unmatched & val) === val) {
      names.push(name);
      unmatched &= ~val;
    }
  }
  return names.length === 0 || unmatched !== 0 ? "unknown" : names.join(" ");
}

// ---------------------------------------------------------------------------------------
// Special directives

function special<V>(d: SpecialDirective<V>): SpecialDirective {
  return d as unknown as SpecialDirective;
}

const wrongArgs = () => new DirectiveError("wrong number of arguments");

type SaveParams = readonly (readonly [seconds: bigint, changes: number])[];

const saveDirective = special<SaveParams>({
  type: "special",
  name: "save",
  multiArg: true,
  init: () => [
    [3600n, 1],
    [300n, 100],
    [60n, 10000],
  ],
  parse(args, prev, ctx) {
    // A single "" means "no save points" and always clears them.
    const clear = args.length === 1 && args[0] === "";
    if (clear) args = [];
    if (args.length % 2 !== 0) throw new DirectiveError("Invalid save parameters");
    const out: (readonly [bigint, number])[] = [];
    for (let j = 0; j < args.length; j += 2) {
      const seconds = strtollAll(args[j]);
      const changes = strtollAll(args[j + 1]);
      if (seconds === null || seconds < 1n || changes === null || changes < 0n) throw new DirectiveError("Invalid save parameters");
      out.push([seconds, Number(BigInt.asIntN(32, changes))]);
    }
    let base = clear ? [] : prev;
    if (!ctx.fromFile || !ctx.load.reading) base = [];
    else if (!ctx.load.saveLoaded) {
      ctx.load.saveLoaded = true;
      base = [];
    }
    return [...base, ...out];
  },
  format: (v) => v.map(([s, c]) => `${s} ${c}`).join(" "),
  rewrite: (v) => (v.length === 0 ? [['save ""', true]] : v.map(([s, c]): RewriteLine => [`save ${s} ${c}`, true])),
});

const dirDirective = special<string>({
  type: "special",
  name: "dir",
  protected: true,
  init: () => process.cwd(),
  parse(args, prev) {
    if (args.length !== 1) throw wrongArgs();
    // Redis chdir()s, so a relative dir is relative to the previous one.
    if (args[0] === "") throw new DirectiveError(ERRNO_TEXT.ENOENT);
    const path = resolvePath(prev, args[0]);
    try {
      if (!statSync(path).isDirectory()) throw new DirectiveError(ERRNO_TEXT.ENOTDIR);
      accessSync(path, fsConstants.X_OK);
    } catch (e) {
      if (e instanceof DirectiveError) throw e;
      throw new DirectiveError(strerror(e));
    }
    return path;
  },
  format: (v) => v,
  rewrite: (v) => [[`dir ${repr(v)}`, true]],
});

interface ObufLimit {
  hard: bigint;
  soft: bigint;
  seconds: number;
}

/** Output buffer classes in Redis's order: normal, replica (shown as "slave"), pubsub. */
const OBUF_CLASSES = ["normal", "slave", "pubsub"] as const;
const OBUF_DEFAULTS: readonly ObufLimit[] = [
  { hard: 0n, soft: 0n, seconds: 0 },
  { hard: 256n * MB, soft: 64n * MB, seconds: 60 },
  { hard: 32n * MB, soft: 8n * MB, seconds: 60 },
];

const obufDirective = special<readonly ObufLimit[]>({
  type: "special",
  name: "client-output-buffer-limit",
  multiArg: true,
  init: () => OBUF_DEFAULTS,
  parse(args, prev) {
    if (args.length % 4 !== 0) throw new DirectiveError("Wrong number of arguments in buffer limit configuration.");
    // Validate every class first: the whole line is accepted or refused.
    const out = [...prev];
    for (let j = 0; j < args.length; j += 4) {
      const cls = args[j].toLowerCase();
      const idx = cls === "replica" ? 1 : OBUF_CLASSES.indexOf(cls as (typeof OBUF_CLASSES)[number]);
      if (idx < 0) throw new DirectiveError("Invalid client class specified in buffer limit configuration.");
      const hard = memtoull(args[j + 1]);
      const soft = memtoull(args[j + 2]);
      const secs = strtollAll(args[j + 3]);
      const seconds = secs === null ? -1 : Number(BigInt.asIntN(32, secs));
      if (hard === null || soft === null || seconds < 0) {
        throw new DirectiveError("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
      }
      out[idx] = { hard, soft, seconds };
    }
    return out;
  },
  format: (v) => v.map((l, i) => `${OBUF_CLASSES[i]} ${l.hard} ${l.soft} ${l.seconds}`).join(" "),
  rewrite: (v) =>
    v.map((l, i): RewriteLine => {
      const d = OBUF_DEFAULTS[i];
      const force = l.hard !== d.hard || l.soft !== d.soft || l.seconds !== d.seconds;
      const cls = i === 1 ? "replica" : OBUF_CLASSES[i];
      const mem = (x: bigint) => formatMemory(BigInt.asIntN(64, x));
      return [`client-output-buffer-limit ${cls} ${mem(l.hard)} ${mem(l.soft)} ${l.seconds}`, force];
    }),
});

const OOM_DEFAULTS = [0, 200, 800] as const;

const oomValuesDirective = special<readonly number[]>({
  type: "special",
  name: "oom-score-adj-values",
  multiArg: true,
  init: () => OOM_DEFAULTS,
  parse(args) {
    if (args.length !== 3) throw wrongArgs();
    return args.map((a) => {
      const v = strtollAll(a);
      if (v === null || v < -2000n || v > 2000n) {
        throw new DirectiveError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
      }
      return Number(v);
    });
  },
  format: (v) => v.join(" "),
  rewrite: (v) => [[`oom-score-adj-values ${v.join(" ")}`, v.some((x, i) => x !== OOM_DEFAULTS[i])]],
});

/** Keyspace notification classes (notify-keyspace-events), bit values as in Redis's server.h. */
export const NOTIFY = {
  KEYSPACE: 1 << 0,
  KEYEVENT: 1 << 1,
  GENERIC: 1 << 2,
  STRING: 1 << 3,
  LIST: 1 << 4,
  SET: 1 << 5,
  HASH: 1 << 6,
  ZSET: 1 << 7,
  EXPIRED: 1 << 8,
  EVICTED: 1 << 9,
  STREAM: 1 << 10,
  KEY_MISS: 1 << 11,
  MODULE: 1 << 13,
  NEW: 1 << 14,
} as const;

/** What "A" stands for: every data-event class except m (key miss) and n (new key). */
export const NOTIFY_ALL =
  NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET | NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

const NOTIFY_CHARS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY.GENERIC,
  $: NOTIFY.STRING,
  l: NOTIFY.LIST,
  s: NOTIFY.SET,
  h: NOTIFY.HASH,
  z: NOTIFY.ZSET,
  x: NOTIFY.EXPIRED,
  e: NOTIFY.EVICTED,
  K: NOTIFY.KEYSPACE,
  E: NOTIFY.KEYEVENT,
  t: NOTIFY.STREAM,
  m: NOTIFY.KEY_MISS,
  d: NOTIFY.MODULE,
  n: NOTIFY.NEW,
};

/** keyspaceEventsStringToFlags(): the class bits of a notify-keyspace-events value, or -1. */
export function keyspaceEventsFlags(classes: string): number {
  let flags = 0;
  for (const c of classes) {
    const f = NOTIFY_CHARS[c];
    if (f === undefined) return -1;
    flags |= f;
  }
  return flags;
}

/** keyspaceEventsFlagsToString(): Redis's canonical order; "A" hides n, as in 7.0. */
function keyspaceEventsString(flags: number): string {
  let s = "";
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s = "A";
  else for (const c of "g$lshzxetdn") if (flags & NOTIFY_CHARS[c]) s += c;
  for (const c of "KEm") if (flags & NOTIFY_CHARS[c]) s += c;
  return s;
}

const notifyDirective = special<number>({
  type: "special",
  name: "notify-keyspace-events",
  init: () => 0,
  parse(args) {
    if (args.length !== 1) throw wrongArgs();
    const flags = keyspaceEventsFlags(args[0]);
    if (flags === -1) throw new DirectiveError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return flags;
  },
  format: keyspaceEventsString,
  rewrite: (v) => [[`notify-keyspace-events ${repr(keyspaceEventsString(v))}`, v !== 0]],
});

const BIND_DEFAULT = ["*", "-::*"] as const;

const bindDirective = special<readonly string[]>({
  type: "special",
  name: "bind",
  multiArg: true,
  init: () => BIND_DEFAULT,
  parse(args) {
    if (args.length > 16) throw new DirectiveError("Too many bind addresses specified.");
    return args.length === 1 && args[0] === "" ? [] : [...args];
  },
  format: (v) => v.join(" "),
  rewrite(v) {
    if (v.length === BIND_DEFAULT.length && v.every((a, i) => a === BIND_DEFAULT[i])) return [];
    return [[`bind ${v.length > 0 ? v.join(" ") : '""'}`, true]];
  },
});

type ReplicaOf = { host: string; port: number } | null;

const replicaofDirective = special<ReplicaOf>({
  type: "special",
  name: "replicaof",
  alias: "slaveof",
  immutable: true,
  multiArg: true,
  init: () => null,
  parse(args) {
    if (args.length !== 2) throw wrongArgs();
    if (args[0].toLowerCase() === "no" && args[1].toLowerCase() === "one") return null;
    const port = strtollAll(args[1]);
    if (port === null || port < 0n || port > 65535n) throw new DirectiveError("Invalid master port");
    return { host: args[0], port: Number(port) };
  },
  format: (v) => (v ? `${v.host} ${v.port}` : ""),
  // A cluster node never keeps a replicaof line.
  rewrite: (v, view) => (v === null || view.get("cluster-enabled") === "yes" ? [] : [[`replicaof ${v.host} ${v.port}`, true]]),
});

/** %f then trimDoubleString(), as Redis prints percentiles. */
function formatPercentile(p: number): string {
  return p.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
}

const percentilesDirective = special<readonly number[]>({
  type: "special",
  name: "latency-tracking-info-percentiles",
  multiArg: true,
  init: () => [50, 99, 99.9],
  parse(args) {
    if (args.length === 1 && args[0] === "") return [];
    return args.map((a) => {
      const p = parseDouble(new TextEncoder().encode(a));
      if (p === null) throw new DirectiveError("Invalid latency-tracking-info-percentiles parameters");
      if (p > 100 || p < 0) throw new DirectiveError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      return p;
    });
  },
  format: (v) => v.map(formatPercentile).join(" "),
  rewrite: (v) => [[`latency-tracking-info-percentiles ${v.length === 0 ? '""' : v.map(formatPercentile).join(" ")}`, true]],
});

// ---------------------------------------------------------------------------------------
// Validators

function baseName(what: string, kind: string, allowEmpty: boolean) {
  return (v: string): string | null => {
    if (!allowEmpty && v === "") return `${what} can't be empty`;
    if (v.includes("/") || v.includes("\\")) return `${what} can't be a path, just a ${kind}`;
    return null;
  };
}

function validHostname(v: string): string | null {
  if (new TextEncoder().encode(v).length >= 256) return "Hostnames must be less than 256 characters";
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return "Hostnames may only contain alphanumeric characters, hyphens or dots";
  return null;
}

/** proc-title-template: known {variables} only, and not empty once expanded. */
function validProcTitle(template: string, view: ConfigView): string | null {
  const port = view.get("port") ?? "0";
  const tlsPort = view.get("tls-port") ?? "0";
  const vars: Record<string, () => string> = {
    title: () => "",
    "listen-addr": () =>
      port !== "0" || tlsPort !== "0"
        ? `${(view.get("bind") ?? "").split(" ")[0] || "*"}:${port !== "0" ? port : tlsPort}`
        : `unixsocket:${view.get("unixsocket") || "(null)"}`,
    "server-mode": () => (view.get("cluster-enabled") === "yes" ? "[cluster]" : ""),
    "config-file": () => view.configFile ?? "",
    port: () => port,
    "tls-port": () => tlsPort,
    unixsocket: () => view.get("unixsocket") ?? "",
  };
  const bad = "template format is invalid or contains unknown variables";
  let out = "";
  let p = 0;
  while (p < template.length) {
    const sv = template.indexOf("{", p);
    if (sv < 0) {
      out += template.slice(p);
      break;
    }
    out += template.slice(p, sv);
    if (sv + 1 >= template.length) return bad;
    if (template[sv + 1] === "{") {
      out += "{";
      p = sv + 2;
      continue;
    }
    const ev = template.indexOf("}", sv + 1);
    if (ev < 0) return bad;
    const fn = vars[template.slice(sv + 1, ev)];
    if (!fn) return bad;
    out += fn();
    p = ev + 1;
  }
  return out.replace(/^ +| +$/g, "") === "" ? bad : null;
}

// ---------------------------------------------------------------------------------------
// The table

const bool = (name: string, def: boolean, extra: Partial<BoolDirective> = {}): BoolDirective => ({ type: "bool", name, default: def, ...extra });

function num(name: string, min: bigint, max: bigint, def: bigint, extra: Partial<NumDirective> = {}): NumDirective {
  return { type: "num", name, min, max, default: def, ...extra };
}

const str = (name: string, def: string | null, extra: Partial<StringDirective> = {}): StringDirective => ({ type: "string", name, default: def, ...extra });

function enumOf(name: string, words: readonly string[], def: string, extra: Partial<EnumDirective> = {}): EnumDirective {
  const values = words.map((w, i) => [w, i] as const);
  return { type: "enum", name, values, default: words.indexOf(def), ...extra };
}

const IMM = { immutable: true } as const;
const TSREDIS = { immutable: true, hidden: true } as const;
const PROTECTED_ACTION = ["no", "yes", "local"] as const;
const SHUTDOWN_FLAGS = [
  ["default", 0],
  ["save", 1],
  ["nosave", 2],
  ["now", 4],
  ["force", 8],
] as const;

function shutdownOnSignal(name: string): EnumDirective {
  return {
    type: "enum",
    name,
    values: SHUTDOWN_FLAGS,
    default: 0,
    bitflags: true,
    validate: (v) => ((v & 1) !== 0 && (v & 2) !== 0 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null),
  };
}

export const DIRECTIVES: readonly Directive[] = [
  // Booleans
  bool("rdbchecksum", true, IMM),
  bool("daemonize", false, IMM),
  bool("io-threads-do-reads", false, IMM),
  bool("always-show-logo", false, IMM),
  bool("protected-mode", true),
  bool("rdbcompression", true),
  bool("rdb-del-sync-files", false),
  bool("activerehashing", true),
  bool("stop-writes-on-bgsave-error", true),
  bool("set-proc-title", true, IMM),
  bool("dynamic-hz", true),
  bool("lazyfree-lazy-eviction", false),
  bool("lazyfree-lazy-expire", false),
  bool("lazyfree-lazy-server-del", false),
  bool("lazyfree-lazy-user-del", false),
  bool("lazyfree-lazy-user-flush", false),
  bool("repl-disable-tcp-nodelay", false),
  bool("repl-diskless-sync", true),
  bool("aof-rewrite-incremental-fsync", true),
  bool("no-appendfsync-on-rewrite", false),
  bool("cluster-require-full-coverage", true),
  bool("rdb-save-incremental-fsync", true),
  bool("aof-load-truncated", true),
  bool("aof-use-rdb-preamble", true),
  bool("aof-timestamp-enabled", false),
  bool("cluster-replica-no-failover", false, { alias: "cluster-slave-no-failover" }),
  bool("replica-lazy-flush", false, { alias: "slave-lazy-flush" }),
  bool("replica-serve-stale-data", true, { alias: "slave-serve-stale-data" }),
  bool("replica-read-only", true, { alias: "slave-read-only" }),
  bool("replica-ignore-maxmemory", true, { alias: "slave-ignore-maxmemory" }),
  bool("jemalloc-bg-thread", true),
  // Like a Redis built without its bundled jemalloc (as the distribution packages are).
  bool("activedefrag", false, {
    validate: (v) =>
      v
        ? "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
        : null,
  }),
  bool("syslog-enabled", false, IMM),
  bool("cluster-enabled", false, IMM),
  bool("appendonly", false),
  bool("cluster-allow-reads-when-down", false),
  bool("cluster-allow-pubsubshard-when-down", true),
  bool("crash-log-enabled", true),
  bool("crash-memcheck-enabled", true),
  bool("use-exit-on-panic", false, { hidden: true }),
  bool("disable-thp", true, IMM),
  bool("cluster-allow-replica-migration", true),
  bool("replica-announced", true),
  bool("latency-tracking", true),
  bool("aof-disable-auto-gc", false),
  bool("replica-ignore-disk-write-errors", false),
  bool("tls-cluster", false),
  bool("tls-replication", false),
  bool("tls-prefer-server-ciphers", false),
  bool("tls-session-caching", true),

  // Strings
  str("aclfile", "", IMM),
  str("unixsocket", null, IMM),
  str("pidfile", null, IMM),
  str("replica-announce-ip", null, { alias: "slave-announce-ip" }),
  str("masteruser", null),
  str("cluster-announce-ip", null),
  str("cluster-config-file", "nodes.conf", IMM),
  str("cluster-announce-hostname", null, { validate: validHostname }),
  str("syslog-ident", "redis", IMM),
  str("dbfilename", "dump.rdb", { protected: true, validate: baseName("dbfilename", "filename", true) }),
  str("appendfilename", "appendonly.aof", { immutable: true, validate: baseName("appendfilename", "filename", false) }),
  str("appenddirname", "appendonlydir", { immutable: true, validate: baseName("appenddirname", "dirname", false) }),
  str("server_cpulist", null, IMM),
  str("bio_cpulist", null, IMM),
  str("aof_rewrite_cpulist", null, IMM),
  str("bgsave_cpulist", null, IMM),
  str("ignore-warnings", ""),
  str("proc-title-template", "{title} {listen-addr} {server-mode}", { validate: validProcTitle }),
  str("bind-source-addr", null),
  str("logfile", "", IMM),
  str("masterauth", null),
  str("requirepass", null),
  str("tls-cert-file", null),
  str("tls-key-file", null),
  str("tls-key-file-pass", null),
  str("tls-client-cert-file", null),
  str("tls-client-key-file", null),
  str("tls-client-key-file-pass", null),
  str("tls-dh-params-file", null),
  str("tls-ca-cert-file", null),
  str("tls-ca-cert-dir", null),
  str("tls-protocols", null),
  str("tls-ciphers", null),
  str("tls-ciphersuites", null),

  // Enums
  enumOf("supervised", ["upstart", "systemd", "auto", "no"], "no", IMM),
  enumOf("syslog-facility", ["user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"], "local0", IMM),
  enumOf("repl-diskless-load", ["disabled", "on-empty-db", "swapdb"], "disabled"),
  enumOf("loglevel", ["debug", "verbose", "notice", "warning"], "notice"),
  enumOf(
    "maxmemory-policy",
    ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"],
    "noeviction",
  ),
  enumOf("appendfsync", ["everysec", "always", "no"], "everysec"),
  // "yes" and "relative" are the same setting; CONFIG GET shows the first, "yes".
  {
    type: "enum",
    name: "oom-score-adj",
    values: [
      ["no", 0],
      ["yes", 1],
      ["relative", 1],
      ["absolute", 2],
    ],
    default: 0,
  },
  {
    type: "enum",
    name: "acl-pubsub-default",
    values: [
      ["allchannels", 1],
      ["resetchannels", 0],
    ],
    default: 0,
  },
  enumOf("sanitize-dump-payload", ["no", "yes", "clients"], "no"),
  enumOf("enable-protected-configs", PROTECTED_ACTION, "no", IMM),
  enumOf("enable-debug-command", PROTECTED_ACTION, "no", IMM),
  enumOf("enable-module-command", PROTECTED_ACTION, "no", IMM),
  enumOf("cluster-preferred-endpoint-type", ["ip", "hostname", "unknown-endpoint"], "ip"),
  enumOf("propagation-error-behavior", ["ignore", "panic", "panic-on-replicas"], "ignore"),
  shutdownOnSignal("shutdown-on-sigint"),
  shutdownOnSignal("shutdown-on-sigterm"),
  enumOf("tls-auth-clients", ["no", "yes", "optional"], "yes"),

  // Numbers
  num("databases", 1n, INT_MAX, 16n, IMM),
  num("port", 0n, 65535n, 6379n),
  num("io-threads", 1n, 128n, 1n, IMM),
  num("auto-aof-rewrite-percentage", 0n, INT_MAX, 100n),
  num("cluster-replica-validity-factor", 0n, INT_MAX, 10n, { alias: "cluster-slave-validity-factor" }),
  num("list-max-listpack-size", INT_MIN, INT_MAX, -2n, { alias: "list-max-ziplist-size" }),
  num("tcp-keepalive", 0n, INT_MAX, 300n),
  num("cluster-migration-barrier", 0n, INT_MAX, 1n),
  num("active-defrag-cycle-min", 1n, 99n, 1n),
  num("active-defrag-cycle-max", 1n, 99n, 25n),
  num("active-defrag-threshold-lower", 0n, 1000n, 10n),
  num("active-defrag-threshold-upper", 0n, 1000n, 100n),
  num("lfu-log-factor", 0n, INT_MAX, 10n),
  num("lfu-decay-time", 0n, INT_MAX, 1n),
  num("replica-priority", 0n, INT_MAX, 100n, { alias: "slave-priority" }),
  num("repl-diskless-sync-delay", 0n, INT_MAX, 5n),
  num("maxmemory-samples", 1n, INT_MAX, 5n),
  num("maxmemory-eviction-tenacity", 0n, 100n, 10n),
  num("timeout", 0n, INT_MAX, 0n),
  num("replica-announce-port", 0n, 65535n, 0n, { alias: "slave-announce-port" }),
  num("tcp-backlog", 0n, INT_MAX, 511n, IMM),
  num("cluster-port", 0n, 65535n, 0n, IMM),
  num("cluster-announce-bus-port", 0n, 65535n, 0n),
  num("cluster-announce-port", 0n, 65535n, 0n),
  num("cluster-announce-tls-port", 0n, 65535n, 0n),
  num("repl-timeout", 1n, INT_MAX, 60n),
  num("repl-ping-replica-period", 1n, INT_MAX, 10n, { alias: "repl-ping-slave-period" }),
  num("list-compress-depth", 0n, INT_MAX, 0n),
  num("rdb-key-save-delay", INT_MIN, INT_MAX, 0n, { hidden: true }),
  num("key-load-delay", INT_MIN, INT_MAX, 0n, { hidden: true }),
  num("active-expire-effort", 1n, 10n, 1n),
  // Redis takes any hz but runs (and reports) it clamped to 1..500.
  num("hz", 0n, INT_MAX, 10n, { clamp: [1n, 500n] }),
  num("min-replicas-to-write", 0n, INT_MAX, 0n, { alias: "min-slaves-to-write" }),
  num("min-replicas-max-lag", 0n, INT_MAX, 10n, { alias: "min-slaves-max-lag" }),
  num("watchdog-period", 0n, INT_MAX, 0n, { hidden: true }),
  num("shutdown-timeout", 0n, INT_MAX, 10n),
  num("repl-diskless-sync-max-replicas", 0n, INT_MAX, 0n),
  num("maxclients", 1n, UINT_MAX, 10000n, { unsigned: true }),
  num("unixsocketperm", 0n, 0o777n, 0n, { immutable: true, unsigned: true, octal: true }),
  num("socket-mark-id", 0n, UINT_MAX, 0n, { immutable: true, unsigned: true }),
  num("active-defrag-max-scan-fields", 1n, LLONG_MAX, 1000n),
  num("slowlog-max-len", 0n, LLONG_MAX, 128n),
  num("acllog-max-len", 0n, LLONG_MAX, 128n),
  num("busy-reply-threshold", 0n, LLONG_MAX, 5000n, { alias: "lua-time-limit" }),
  num("cluster-node-timeout", 0n, LLONG_MAX, 15000n),
  num("slowlog-log-slower-than", -1n, LLONG_MAX, 10000n),
  num("latency-monitor-threshold", 0n, LLONG_MAX, 0n),
  num("proto-max-bulk-len", MB, LLONG_MAX, 512n * MB, { memory: true }),
  num("stream-node-max-entries", 0n, LLONG_MAX, 100n),
  // Redis resizes the backlog on CONFIG SET, to at least 16kb.
  num("repl-backlog-size", 1n, LLONG_MAX, MB, { memory: true, setMin: 16384n }),
  num("maxmemory", 0n, ULLONG_MAX, 0n, { memory: true, unsigned: true }),
  num("cluster-link-sendbuf-limit", 0n, ULLONG_MAX, 0n, { memory: true, unsigned: true }),
  num("hash-max-listpack-entries", 0n, LLONG_MAX, 512n, { alias: "hash-max-ziplist-entries", unsigned: true }),
  num("set-max-intset-entries", 0n, LLONG_MAX, 512n, { unsigned: true }),
  num("zset-max-listpack-entries", 0n, LLONG_MAX, 128n, { alias: "zset-max-ziplist-entries", unsigned: true }),
  num("active-defrag-ignore-bytes", 1n, LLONG_MAX, 100n * MB, { memory: true, unsigned: true }),
  num("hash-max-listpack-value", 0n, LLONG_MAX, 64n, { alias: "hash-max-ziplist-value", memory: true, unsigned: true }),
  num("stream-node-max-bytes", 0n, LLONG_MAX, 4096n, { memory: true, unsigned: true }),
  num("zset-max-listpack-value", 0n, LLONG_MAX, 64n, { alias: "zset-max-ziplist-value", memory: true, unsigned: true }),
  num("hll-sparse-max-bytes", 0n, LLONG_MAX, 3000n, { memory: true, unsigned: true }),
  num("tracking-table-max-keys", 0n, LLONG_MAX, 1000000n, { unsigned: true }),
  num("client-query-buffer-limit", MB, LLONG_MAX, 1024n * MB, { memory: true, unsigned: true }),
  num("maxmemory-clients", -100n, LLONG_MAX, 0n, { memory: true, percent: true }),
  num("repl-backlog-ttl", 0n, LLONG_MAX, 3600n),
  num("auto-aof-rewrite-min-size", 0n, LLONG_MAX, 64n * MB, { memory: true }),
  num("loading-process-events-interval-bytes", 1024n, INT_MAX, 2n * MB, { hidden: true }),
  num("tls-port", 0n, 65535n, 0n),
  num("tls-session-cache-size", 0n, INT_MAX, 20480n),
  num("tls-session-cache-timeout", 0n, INT_MAX, 300n),

  // Multi-argument and other special directives
  dirDirective,
  saveDirective,
  obufDirective,
  oomValuesDirective,
  notifyDirective,
  bindDirective,
  replicaofDirective,
  percentilesDirective,

  // tsredis's own: shard workers (0 = pick automatically) and the admin HTTP endpoint.
  // Hidden from CONFIG GET globs so tools that iterate Redis's options never see them.
  num("shards", 0n, 1024n, 0n, TSREDIS),
  num("admin-port", 0n, 65535n, 8080n, TSREDIS),
  str("admin-bind", "127.0.0.1", TSREDIS),
];

/** A directive found by name, and whether the name was its alias. */
export interface DirectiveEntry {
  def: Directive;
  /** The name as registered (lower case): def.name or def.alias. */
  key: string;
  alias: boolean;
}

const BY_NAME = new Map<string, DirectiveEntry>();
for (const def of DIRECTIVES) {
  BY_NAME.set(def.name, { def, key: def.name, alias: false });
  if (def.alias) BY_NAME.set(def.alias, { def, key: def.alias, alias: true });
}

/** Case-insensitive lookup by canonical name or alias. */
export function lookupDirective(name: string): DirectiveEntry | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every registered name (canonical and alias) in table order, as CONFIG GET globs see them. */
export function allDirectiveEntries(): IterableIterator<DirectiveEntry> {
  return BY_NAME.values();
}
