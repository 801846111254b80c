// Sorted set values (Redis t_zset.c data structures).
//
// Two encodings, with Redis's names and thresholds:
//   listpack: two parallel arrays (members, scores) kept in (score, member) order, for sets
//             of at most zset-max-listpack-entries members of at most zset-max-listpack-value
//             bytes; lookups scan, updates splice.
//   skiplist: Redis's skiplist with span counts (O(log n) insert, delete, rank, rank lookup)
//             plus a member → node Map.
//
// Members are held as byte-exact latin1 strings (one char per byte): JS string comparison
// is then memcmp order, the same string is the Map key, and a short string costs less
// than a Uint8Array. Conversion happens once per argument and once per reply element.

import type { ReplyWriter } from "../resp/writer.ts";

// ---- members as latin1 strings ----------------------------------------------------------

const asciiDecoder = new TextDecoder("latin1");

/**
 * The member string of some bytes. TextDecoder's "latin1" is really windows-1252, which
 * remaps 0x80-0x9f, so it is only used when every byte is ASCII.
 */
export function memberOf(b: Uint8Array): string {
  const n = b.length;
  let i = 0;
  while (i < n && b[i] < 0x80) i++;
  if (i === n) return n > 16 ? asciiDecoder.decode(b) : shortAscii(b);
  let s = "";
  for (let j = 0; j < n; j++) s += String.fromCharCode(b[j]);
  return s;
}

function shortAscii(b: Uint8Array): string {
  let s = "";
  for (let j = 0; j < b.length; j++) s += String.fromCharCode(b[j]);
  return s;
}

/** The bytes of a member string. */
export function memberBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Write a member as a bulk string straight into the reply buffer. */
export function replyMember(out: ReplyWriter, s: string): void {
  const n = s.length;
  const head = "$" + n + "\r\n";
  out.ensure(head.length + n + 2);
  const buf = out.buf;
  let o = out.len;
  for (let i = 0; i < head.length; i++) buf[o++] = head.charCodeAt(i);
  for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
  buf[o++] = 13;
  buf[o++] = 10;
  out.len = o;
}

// ---- numbers -----------------------------------------------------------------------------

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX](?=\.?[0-9a-fA-F])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const SPECIAL = /^([+-]?)(?:(inf(?:inity)?)|nan(?:\([0-9A-Za-z_]*\))?)$/i;

/** Set by strtod(): the result over- or underflowed (C's errno == ERANGE). */
let rangeError = false;

/**
 * C strtod() over a whole string (no leading blanks): the value, or null when the text is
 * not entirely one number. NaN is returned as NaN.
 */
function strtod(s: string): number | null {
  rangeError = false;
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) rangeError = true;
    else if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ""))) rangeError = true;
    return v;
  }
  let m = SPECIAL.exec(s);
  if (m !== null) {
    if (m[2] === undefined) return NaN;
    return m[1] === "-" ? -Infinity : Infinity;
  }
  m = HEX.exec(s);
  if (m === null) return null;
  const int = m[2];
  const frac = m[3] ?? "";
  const mant = Number(BigInt("0x" + (int + frac || "0")));
  const exp = (m[4] === undefined ? 0 : Number(m[4])) - 4 * frac.length;
  let v = mant * 2 ** exp;
  if (!Number.isFinite(v) || (v === 0 && mant !== 0)) rangeError = true;
  if (!Number.isFinite(v) && Number.isFinite(2 ** exp)) v = Infinity;
  return m[1] === "-" ? -v : v;
}

/**
 * getDoubleFromObject(): a score, increment or weight argument. Rejects blanks, trailing
 * garbage, NaN and results out of double range; accepts inf, hex floats and exponents.
 */
export function parseScore(b: Uint8Array): number | null {
  const n = b.length;
  if (n === 0 || isSpace(b[0])) return null;
  const v = strtod(memberOf(b));
  if (v === null || Number.isNaN(v) || rangeError) return null;
  return v;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * A zslParseRange() bound: strtod after the optional '(' as C sees it (leading blanks
 * skipped, the string ends at a NUL, an empty number is 0). Null when invalid or NaN.
 */
function parseRangeNumber(s: string): number | null {
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul);
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i === s.length) return 0;
  const v = strtod(s.slice(i));
  if (v === null || Number.isNaN(v)) return null;
  return v;
}

/**
 * d2string(): how a listpack stores a score, shown by ZSCAN. Integral values print as
 * integers (1e17 → 100000000000000000), others as %.17g.
 */
export function d2string(d: number): string {
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  if (Number.isInteger(d) && Math.abs(d) <= 4611686018427387903) return BigInt(d).toString();
  return formatG17(d);
}

/** C's "%.17g". */
export function formatG17(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const e = d.toExponential(16);
  const at = e.indexOf("e");
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= 17) {
    let mant = e.slice(0, at);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const ax = Math.abs(exp);
    return mant + "e" + (exp < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax;
  }
  let s = d.toFixed(Math.max(0, 16 - exp));
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** addReplyDouble(): %.17g as a RESP2 bulk or a RESP3 double, keeping the sign of -0. */
export function replyScore(out: ReplyWriter, d: number): void {
  if (d !== 0 || !Object.is(d, -0)) return out.double(d);
  if (out.proto === 3) out.raw(NEG_ZERO_DOUBLE);
  else out.raw(NEG_ZERO_BULK);
}

const NEG_ZERO_DOUBLE = new Uint8Array([44, 45, 48, 13, 10]);
const NEG_ZERO_BULK = new Uint8Array([36, 50, 13, 10, 45, 48, 13, 10]);

// ---- ranges ------------------------------------------------------------------------------

/** zrangespec: a score interval, each end inclusive or exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** zslParseRange(); null when either end is not a float ("(" alone means exclusive 0). */
export function parseScoreRange(min: Uint8Array, max: Uint8Array): ScoreRange | null {
  const r: ScoreRange = { min: 0, max: 0, minex: false, maxex: false };
  let s = memberOf(min);
  if (s.charCodeAt(0) === 40) {
    r.minex = true;
    s = s.slice(1);
  }
  const lo = parseRangeNumber(s);
  if (lo === null) return null;
  s = memberOf(max);
  if (s.charCodeAt(0) === 40) {
    r.maxex = true;
    s = s.slice(1);
  }
  const hi = parseRangeNumber(s);
  if (hi === null) return null;
  r.min = lo;
  r.max = hi;
  return r;
}

function gteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

function lteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

function emptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Lex bound kinds: "-" (below everything), a string, "+" (above everything). */
const LEX_MIN = -1;
const LEX_STR = 0;
const LEX_MAX = 1;

/** zlexrangespec. */
export interface LexRange {
  min: string;
  max: string;
  minKind: number;
  maxKind: number;
  minex: boolean;
  maxex: boolean;
}

/** zslParseLexRange(): items are "-", "+", "(member" or "[member"; null when invalid. */
export function parseLexRange(min: Uint8Array, max: Uint8Array): LexRange | null {
  const r: LexRange = { min: "", max: "", minKind: LEX_STR, maxKind: LEX_STR, minex: false, maxex: false };
  const a = parseLexItem(min);
  if (a === null) return null;
  const b = parseLexItem(max);
  if (b === null) return null;
  [r.minKind, r.minex, r.min] = a;
  [r.maxKind, r.maxex, r.max] = b;
  return r;
}

function parseLexItem(b: Uint8Array): [number, boolean, string] | null {
  if (b.length === 0) return null;
  switch (b[0]) {
    case 43: // +
      return b.length === 1 ? [LEX_MAX, true, ""] : null;
    case 45: // -
      return b.length === 1 ? [LEX_MIN, true, ""] : null;
    case 40: // (
      return [LEX_STR, true, memberOf(b.subarray(1))];
    case 91: // [
      return [LEX_STR, false, memberOf(b.subarray(1))];
    default:
      return null;
  }
}

/** sdscmplex() between two bounds. */
function cmpBounds(ak: number, a: string, bk: number, b: string): number {
  if (ak === bk && ak !== LEX_STR) return 0;
  if (ak === LEX_MIN || bk === LEX_MAX) return -1;
  if (ak === LEX_MAX || bk === LEX_MIN) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpBounds(LEX_STR, v, r.minKind, r.min);
  return r.minex ? c > 0 : c >= 0;
}

function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpBounds(LEX_STR, v, r.maxKind, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

function emptyLexRange(r: LexRange): boolean {
  const c = cmpBounds(r.minKind, r.min, r.maxKind, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

// ---- skiplist ----------------------------------------------------------------------------

const MAX_LEVEL = 32;

class ZNode {
  backward: ZNode | null = null;
  readonly next: (ZNode | null)[];
  readonly span: number[];

  constructor(
    readonly ele: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

function randomLevel(): number {
  let level = 1;
  while (Math.random() < 0.25 && level < MAX_LEVEL) level++;
  return level;
}

/** (score, member) strictly before (score, ele). */
function before(x: ZNode, score: number, ele: string): boolean {
  return x.score < score || (x.score === score && x.ele < ele);
}

// Scratch vectors for one operation at a time (Redis's update[] and rank[]).
const update: ZNode[] = new Array(MAX_LEVEL);
const ranks: number[] = new Array<number>(MAX_LEVEL).fill(0);

class SkipList {
  readonly header = new ZNode("", 0, MAX_LEVEL);
  tail: ZNode | null = null;
  length = 0;
  level = 1;
  readonly dict = new Map<string, ZNode>();

  insert(score: number, ele: string): ZNode {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      ranks[i] = i === this.level - 1 ? 0 : ranks[i + 1];
      let n = x.next[i];
      while (n !== null && before(n, score, ele)) {
        ranks[i] += x.span[i];
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        ranks[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(ele, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.next[i] = u.next[i];
      u.next[i] = node;
      node.span[i] = u.span[i] - (ranks[0] - ranks[i]);
      u.span[i] = ranks[0] - ranks[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    const after = node.next[0];
    if (after !== null) after.backward = node;
    else this.tail = node;
    this.length++;
    this.dict.set(ele, node);
    return node;
  }

  /** Fill update[] with the last node before (score, ele) on every level. */
  private findUpdate(score: number, ele: string): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && before(n, score, ele)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    return x.next[0];
  }

  private unlink(x: ZNode): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.next[i] = x.next[i];
      } else {
        u.span[i] -= 1;
      }
    }
    const after = x.next[0];
    if (after !== null) after.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
    this.length--;
  }

  delete(node: ZNode): void {
    this.findUpdate(node.score, node.ele);
    this.unlink(node);
    this.dict.delete(node.ele);
  }

  /** zslUpdateScore(): move a node to its new score, in place when the order allows. */
  updateScore(node: ZNode, score: number): void {
    const prev = node.backward;
    const next = node.next[0];
    if ((prev === null || prev.score < score) && (next === null || next.score > score)) {
      node.score = score;
      return;
    }
    this.findUpdate(node.score, node.ele);
    this.unlink(node);
    this.insert(score, node.ele);
  }

  /** 1-based rank of a node. */
  rankOf(score: number, ele: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && (n.score < score || (n.score === score && n.ele <= ele))) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (x !== this.header && x.ele === ele) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank. */
  byRank(rank: number): ZNode | null {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  /** 0-based rank of the first node with score >= / > min (length when none). */
  firstGte(r: ScoreRange): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !gteMin(n.score, r)) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
    }
    return rank;
  }

  /** Count of nodes with score <= / < max. */
  countLte(r: ScoreRange): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && lteMax(n.score, r)) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
    }
    return rank;
  }

  firstLexGte(r: LexRange): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && !lexGteMin(n.ele, r)) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
    }
    return rank;
  }

  countLexLte(r: LexRange): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && lexLteMax(n.ele, r)) {
        rank += x.span[i];
        x = n;
        n = x.next[i];
      }
    }
    return rank;
  }

  /** zslDeleteRangeByRank() with 1-based inclusive ranks. */
  deleteRange(start: number, end: number): void {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && traversed + x.span[i] < start) {
        traversed += x.span[i];
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    traversed++;
    let node = x.next[0];
    while (node !== null && traversed <= end) {
      const next = node.next[0];
      this.unlink(node);
      this.dict.delete(node.ele);
      traversed++;
      node = next;
    }
  }
}

// ---- the sorted set value ---------------------------------------------------------------

/** ZADD input flags (ZADD_IN_*). */
export const ZADD_INCR = 1;
export const ZADD_NX = 2;
export const ZADD_XX = 4;
export const ZADD_GT = 8;
export const ZADD_LT = 16;

/** zsetAdd() outcomes (ZADD_OUT_*). */
export const ZADD_NAN = 1;
export const ZADD_ADDED = 2;
export const ZADD_UPDATED = 4;
export const ZADD_NOP = 8;

/** The encoding limits (zset-max-listpack-entries, zset-max-listpack-value). */
export interface ZLimits {
  entries: number;
  value: number;
}

/** Walk callback: return false to stop. */
export type ZVisit = (member: string, score: number) => boolean | void;

export class ZSet {
  /** Listpack encoding: members and scores in order. Empty once converted. */
  private ele: string[] = [];
  private sc: number[] = [];
  /** Skiplist encoding when not null. */
  private sl: SkipList | null = null;
  /** The score zsetAdd() left (the new score after INCR). */
  newScore = 0;

  /** A set with the encoding Redis would create for `count` elements (ZRANGESTORE). */
  static create(skiplist: boolean): ZSet {
    const z = new ZSet();
    if (skiplist) z.sl = new SkipList();
    return z;
  }

  /**
   * A set from (member, score) pairs in any order; listpack when it fits the limits
   * (zsetConvertToListpackIfNeeded() on a freshly built result).
   */
  static fromPairs(members: string[], scores: number[], limits: ZLimits): ZSet {
    const n = members.length;
    const order = pairOrder(members, scores);
    let maxLen = 0;
    for (let i = 0; i < n; i++) if (members[i].length > maxLen) maxLen = members[i].length;
    const z = new ZSet();
    if (n <= limits.entries && maxLen <= limits.value) {
      z.ele = order.map((i) => members[i]);
      z.sc = order.map((i) => (scores[i] === 0 ? 0 : scores[i]));
    } else {
      const sl = (z.sl = new SkipList());
      for (const i of order) sl.insert(scores[i], members[i]);
    }
    return z;
  }

  get size(): number {
    return this.sl === null ? this.ele.length : this.sl.length;
  }

  get encoding(): "listpack" | "skiplist" {
    return this.sl === null ? "listpack" : "skiplist";
  }

  /** zsetScore(). */
  score(m: string): number | undefined {
    if (this.sl !== null) return this.sl.dict.get(m)?.score;
    const i = this.ele.indexOf(m);
    return i < 0 ? undefined : this.sc[i];
  }

  has(m: string): boolean {
    return this.sl !== null ? this.sl.dict.has(m) : this.ele.indexOf(m) >= 0;
  }

  /**
   * zsetAdd(): add or update one member under the ZADD flags. Returns ZADD_* outcome bits;
   * newScore holds the resulting score when the member was added or updated.
   */
  add(score: number, m: string, flags: number, limits: ZLimits): number {
    if (Number.isNaN(score)) return ZADD_NAN;
    const incr = (flags & ZADD_INCR) !== 0;
    if (this.sl === null) {
      const i = this.ele.indexOf(m);
      if (i >= 0) {
        if (flags & ZADD_NX) return ZADD_NOP;
        const cur = this.sc[i];
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) return ZADD_NAN;
        }
        if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return ZADD_NOP;
        // The listpack stores scores as text where -0 reads back as 0.
        if (score === 0) score = 0;
        this.newScore = score;
        if (score === cur) return 0;
        this.ele.splice(i, 1);
        this.sc.splice(i, 1);
        this.lpInsert(score, m);
        return ZADD_UPDATED;
      }
      if (flags & ZADD_XX) return ZADD_NOP;
      if (this.ele.length + 1 <= limits.entries && m.length <= limits.value) {
        if (score === 0) score = 0;
        this.lpInsert(score, m);
        this.newScore = score;
        return ZADD_ADDED;
      }
      this.toSkiplist();
    }
    const sl = this.sl!;
    const node = sl.dict.get(m);
    if (node !== undefined) {
      if (flags & ZADD_NX) return ZADD_NOP;
      const cur = node.score;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) return ZADD_NAN;
      }
      if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return ZADD_NOP;
      this.newScore = score;
      if (score === cur) return 0;
      sl.updateScore(node, score);
      return ZADD_UPDATED;
    }
    if (flags & ZADD_XX) return ZADD_NOP;
    sl.insert(score, m);
    this.newScore = score;
    return ZADD_ADDED;
  }

  private lpInsert(score: number, m: string): void {
    const sc = this.sc;
    const ele = this.ele;
    let lo = 0;
    let hi = sc.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sc[mid] < score || (sc[mid] === score && ele[mid] < m)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === sc.length) {
      sc.push(score);
      ele.push(m);
    } else {
      sc.splice(lo, 0, score);
      ele.splice(lo, 0, m);
    }
  }

  private toSkiplist(): void {
    const sl = new SkipList();
    for (let i = 0; i < this.ele.length; i++) sl.insert(this.sc[i], this.ele[i]);
    this.sl = sl;
    this.ele = [];
    this.sc = [];
  }

  /** zsetDel(). */
  delete(m: string): boolean {
    if (this.sl !== null) {
      const node = this.sl.dict.get(m);
      if (node === undefined) return false;
      this.sl.delete(node);
      return true;
    }
    const i = this.ele.indexOf(m);
    if (i < 0) return false;
    this.ele.splice(i, 1);
    this.sc.splice(i, 1);
    return true;
  }

  /** zsetRank(): 0-based rank from the low (or high) end, -1 when absent. */
  rank(m: string, reverse: boolean): number {
    let r: number;
    if (this.sl !== null) {
      const node = this.sl.dict.get(m);
      if (node === undefined) return -1;
      r = this.sl.rankOf(node.score, m) - 1;
    } else {
      r = this.ele.indexOf(m);
      if (r < 0) return -1;
    }
    return reverse ? this.size - 1 - r : r;
  }

  /**
   * Visit members from 0-based rank `start` towards the high end (or the low end when
   * reverse) until visit returns false or the set ends.
   */
  walk(start: number, reverse: boolean, visit: ZVisit): void {
    const n = this.size;
    if (start < 0 || start >= n) return;
    if (this.sl === null) {
      const ele = this.ele;
      const sc = this.sc;
      if (reverse) {
        for (let i = start; i >= 0; i--) if (visit(ele[i], sc[i]) === false) return;
      } else {
        for (let i = start; i < n; i++) if (visit(ele[i], sc[i]) === false) return;
      }
      return;
    }
    const sl = this.sl;
    let x: ZNode | null = start === 0 ? sl.header.next[0] : start === n - 1 ? sl.tail : sl.byRank(start + 1);
    while (x !== null) {
      if (visit(x.ele, x.score) === false) return;
      x = reverse ? x.backward : x.next[0];
    }
  }

  /** Member and score at a 0-based rank (the rank must exist). */
  at(rank: number): [string, number] {
    if (this.sl === null) return [this.ele[rank], this.sc[rank]];
    const x = this.sl.byRank(rank + 1)!;
    return [x.ele, x.score];
  }

  /** Rank of the first member inside the score range, or -1. */
  firstInRange(r: ScoreRange): number {
    if (emptyScoreRange(r) || this.size === 0) return -1;
    let i: number;
    if (this.sl !== null) i = this.sl.firstGte(r);
    else {
      const sc = this.sc;
      let lo = 0;
      let hi = sc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (gteMin(sc[mid], r)) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    }
    if (i >= this.size) return -1;
    return lteMax(this.scoreAt(i), r) ? i : -1;
  }

  /** Rank of the last member inside the score range, or -1. */
  lastInRange(r: ScoreRange): number {
    if (emptyScoreRange(r) || this.size === 0) return -1;
    let i: number;
    if (this.sl !== null) i = this.sl.countLte(r) - 1;
    else {
      const sc = this.sc;
      let lo = 0;
      let hi = sc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lteMax(sc[mid], r)) lo = mid + 1;
        else hi = mid;
      }
      i = lo - 1;
    }
    if (i < 0) return -1;
    return gteMin(this.scoreAt(i), r) ? i : -1;
  }

  /** Rank of the first member inside the lex range, or -1. */
  firstInLexRange(r: LexRange): number {
    if (emptyLexRange(r) || this.size === 0) return -1;
    let i: number;
    if (this.sl !== null) i = this.sl.firstLexGte(r);
    else {
      const ele = this.ele;
      i = 0;
      while (i < ele.length && !lexGteMin(ele[i], r)) i++;
    }
    if (i >= this.size) return -1;
    return lexLteMax(this.memberAt(i), r) ? i : -1;
  }

  /** Rank of the last member inside the lex range, or -1. */
  lastInLexRange(r: LexRange): number {
    if (emptyLexRange(r) || this.size === 0) return -1;
    let i: number;
    if (this.sl !== null) i = this.sl.countLexLte(r) - 1;
    else {
      const ele = this.ele;
      i = ele.length - 1;
      while (i >= 0 && !lexLteMax(ele[i], r)) i--;
    }
    if (i < 0) return -1;
    return lexGteMin(this.memberAt(i), r) ? i : -1;
  }

  private scoreAt(rank: number): number {
    return this.sl === null ? this.sc[rank] : this.sl.byRank(rank + 1)!.score;
  }

  private memberAt(rank: number): string {
    return this.sl === null ? this.ele[rank] : this.sl.byRank(rank + 1)!.ele;
  }

  /** Delete the members at 0-based ranks start..end inclusive. */
  deleteRange(start: number, end: number): void {
    if (this.sl !== null) {
      this.sl.deleteRange(start + 1, end + 1);
      return;
    }
    this.ele.splice(start, end - start + 1);
    this.sc.splice(start, end - start + 1);
  }

  /** Remove and return the lowest (or highest) member. The set must not be empty. */
  pop(max: boolean): [string, number] {
    if (this.sl === null) {
      if (max) return [this.ele.pop()!, this.sc.pop()!];
      return [this.ele.shift()!, this.sc.shift()!];
    }
    const x = max ? this.sl.tail! : this.sl.header.next[0]!;
    this.sl.delete(x);
    return [x.ele, x.score];
  }

  /** A uniformly random member. The set must not be empty. */
  random(): [string, number] {
    return this.at(Math.floor(Math.random() * this.size));
  }

  /** An independent copy with the same encoding (COPY). */
  clone(): ZSet {
    const z = new ZSet();
    if (this.sl === null) {
      z.ele = this.ele.slice();
      z.sc = this.sc.slice();
    } else {
      const sl = (z.sl = new SkipList());
      for (let x = this.sl.header.next[0]; x !== null; x = x.next[0]) sl.insert(x.score, x.ele);
    }
    return z;
  }
}

/** Indexes of (member, score) pairs in sorted set order: by score, then member bytes. */
export function pairOrder(members: string[], scores: number[]): number[] {
  const order = new Array<number>(members.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    return members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0;
  });
}

/**
 * Members of a sorted set as bytes, in score order from 0-based rank start to end
 * inclusive (negative ranks count from the end), for readers outside this module (SORT).
 */
export function zsetRange(z: ZSet, start: number, end: number, reverse: boolean, visit: (member: Uint8Array, score: number) => void): void {
  const n = z.size;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (end >= n) end = n - 1;
  if (start > end) return;
  let left = end - start + 1;
  z.walk(reverse ? n - 1 - start : start, reverse, (m, s) => {
    visit(memberBytes(m), s);
    return --left > 0;
  });
}
