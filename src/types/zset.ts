// Sorted set values (Redis t_zset.c data structures).
//
// Two encodings, with Redis's names and thresholds:
//   listpack: two parallel arrays (members, scores) kept in (score, member) order, for sets
//             of at most zset-max-listpack-entries members of at most zset-max-listpack-value
//             bytes; lookups scan, updates splice.
//   skiplist: (Redis's name) a counted B+tree giving O(log n) insert, delete, rank and
//             access by rank, plus a member → score Map.
//
// Members are held as byte-exact latin1 strings (one char per byte): JS string comparison
// is then memcmp order, the same string is the Map key, and a short string costs less
// than a Uint8Array. Conversion happens once per argument and once per reply element.

import { formatDouble as formatG17 } from "../util/bytes.ts";
import type { ReplyWriter } from "../resp/writer.ts";

// ---- members as latin1 strings ----------------------------------------------------------

const asciiDecoder = new TextDecoder("latin1");

/**
 * The member string of some bytes. TextDecoder's "latin1" is really windows-1252, which
 * remaps 0x80-0x9f, so it only serves longer all-ASCII members (where it is faster).
 */
export function memberOf(b: Uint8Array): string {
  const n = b.length;
  if (n > 16) {
    let i = 0;
    while (i < n && b[i] < 0x80) i++;
    if (i === n) return asciiDecoder.decode(b);
  }
  let s = "";
  for (let j = 0; j < n; j++) s += String.fromCharCode(b[j]);
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
  const v = mant === 0 ? 0 : mant * 2 ** exp;
  if (!Number.isFinite(v) || (v === 0 && mant !== 0)) rangeError = true;
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

/** Scores print as Redis's %.17g; other modules import it from here under this name. */
export { formatG17 };

/**
 * d2string(): how a listpack stores a score, shown by ZSCAN. Integral values print as
 * integers (1e17 → 100000000000000000), others as %.17g.
 */
export function d2string(d: number): string {
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  if (Number.isInteger(d) && Math.abs(d) <= 4611686018427387903) return BigInt(d).toString();
  return formatG17(d);
}

/**
 * addReplyDouble(): "%.17g" as a RESP2 bulk string or a RESP3 double. (C's %g switches to
 * an exponent below 1e-4, where JS's own number printing does not.)
 */
export function replyScore(out: ReplyWriter, d: number): void {
  const s = Number.isSafeInteger(d) && !Object.is(d, -0) ? String(d) : formatG17(d);
  if (out.proto !== 3) return replyMember(out, s);
  const n = s.length;
  out.ensure(n + 3);
  const buf = out.buf;
  let o = out.len;
  buf[o++] = 44; // ,
  for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
  buf[o++] = 13;
  buf[o++] = 10;
  out.len = o;
}

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

/** zslValueGteMin(): v is not below the range. */
export function gteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

/** zslValueLteMax(): v is not above the range. */
export function lteMax(v: number, r: ScoreRange): boolean {
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

/** zslLexValueGteMin(). */
export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpBounds(LEX_STR, v, r.minKind, r.min);
  return r.minex ? c > 0 : c >= 0;
}

/** zslLexValueLteMax(). */
export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpBounds(LEX_STR, v, r.maxKind, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

function emptyLexRange(r: LexRange): boolean {
  const c = cmpBounds(r.minKind, r.min, r.maxKind, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

// ---- the ordered structure: a counted B+tree ---------------------------------------------
//
// Leaves hold runs of (score, member) pairs in order and are linked both ways; an inner
// node keeps, per child, its element count and a separator key. Counts give rank and
// by-rank access in O(log n); a few wide nodes instead of a skiplist's per-element nodes
// keep descents to a handful of cache-friendly array scans.
//
// Separator invariant: every key of child i lies in [low[i], low[i+1]). low[0] is never
// consulted. A separator may be smaller than its child's current minimum (after that
// minimum was deleted) and still routes correctly.

const LEAF_MAX = 64;
const INNER_MAX = 64;
/** Nodes under this size merge with a neighbor when the two fit in one. */
const MIN_FILL = 16;

class Leaf {
  ele: string[] = [];
  sc: number[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

class Inner {
  kids: (Inner | Leaf)[] = [];
  cnt: number[] = [];
  lowSc: number[] = [];
  lowEle: string[] = [];
}

/** (s1, e1) strictly after (s2, e2) in sorted set order. */
function after(s1: number, e1: string, s2: number, e2: string): boolean {
  return s1 > s2 || (s1 === s2 && e1 > e2);
}

/** A monotone test over the order: false for a prefix of the elements, true after it. */
type Pred = (score: number, ele: string) => boolean;

// The path of the last descent: inner nodes from the root down and the child taken in each.
const pathNode: Inner[] = [];
const pathIdx: number[] = [];
/** Where the last descent landed. */
let hitLeaf: Leaf = new Leaf();
let hitIdx = 0;

function sizeOf(n: Inner | Leaf, height: number): number {
  return height === 0 ? (n as Leaf).ele.length : (n as Inner).kids.length;
}

function sum(a: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

class Tree {
  root: Inner | Leaf = new Leaf();
  /** Inner levels above the leaves. */
  height = 0;
  head: Leaf;
  tail: Leaf;
  length = 0;
  /** member → score. */
  readonly dict = new Map<string, number>();

  constructor() {
    this.head = this.tail = this.root as Leaf;
  }

  /** Descend towards key (s, e), recording the path; delta adjusts the counts on it. */
  private descend(s: number, e: string, delta: number): Leaf {
    let node = this.root;
    for (let h = 0; h < this.height; h++) {
      const inner = node as Inner;
      const lowSc = inner.lowSc;
      const lowEle = inner.lowEle;
      let lo = 1;
      let hi = lowSc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (after(lowSc[mid], lowEle[mid], s, e)) hi = mid;
        else lo = mid + 1;
      }
      const j = lo - 1;
      pathNode[h] = inner;
      pathIdx[h] = j;
      inner.cnt[j] += delta;
      node = inner.kids[j];
    }
    return node as Leaf;
  }

  /** Index of the first leaf entry not before (s, e). */
  private static leafIndex(leaf: Leaf, s: number, e: string): number {
    const sc = leaf.sc;
    const ele = leaf.ele;
    let lo = 0;
    let hi = sc.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ms = sc[mid];
      if (ms < s || (ms === s && ele[mid] < e)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(s: number, e: string): void {
    const leaf = this.descend(s, e, 1);
    const i = Tree.leafIndex(leaf, s, e);
    if (i === leaf.sc.length) {
      leaf.sc.push(s);
      leaf.ele.push(e);
    } else {
      leaf.sc.splice(i, 0, s);
      leaf.ele.splice(i, 0, e);
    }
    this.length++;
    this.dict.set(e, s);
    if (leaf.sc.length > LEAF_MAX) this.split(leaf);
  }

  /** Split an overfull leaf, then any overfull inner node above it on the path. */
  private split(leaf: Leaf): void {
    const mid = leaf.sc.length >> 1;
    const right = new Leaf();
    right.sc = leaf.sc.slice(mid);
    right.ele = leaf.ele.slice(mid);
    leaf.sc.length = mid;
    leaf.ele.length = mid;
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    let newNode: Inner | Leaf = right;
    let newCount = right.sc.length;
    let leftCount = mid;
    let sepSc = right.sc[0];
    let sepEle = right.ele[0];
    for (let h = this.height - 1; h >= 0; h--) {
      const p = pathNode[h];
      const j = pathIdx[h];
      p.cnt[j] = leftCount;
      p.kids.splice(j + 1, 0, newNode);
      p.cnt.splice(j + 1, 0, newCount);
      p.lowSc.splice(j + 1, 0, sepSc);
      p.lowEle.splice(j + 1, 0, sepEle);
      if (p.kids.length <= INNER_MAX) return;
      const m = p.kids.length >> 1;
      const r = new Inner();
      r.kids = p.kids.slice(m);
      r.cnt = p.cnt.slice(m);
      r.lowSc = p.lowSc.slice(m);
      r.lowEle = p.lowEle.slice(m);
      sepSc = r.lowSc[0];
      sepEle = r.lowEle[0];
      p.kids.length = m;
      p.cnt.length = m;
      p.lowSc.length = m;
      p.lowEle.length = m;
      newNode = r;
      newCount = sum(r.cnt);
      leftCount = sum(p.cnt);
    }
    const root = new Inner();
    root.kids = [this.root, newNode];
    root.cnt = [leftCount, newCount];
    root.lowSc = [sepSc, sepSc];
    root.lowEle = [sepEle, sepEle];
    this.root = root;
    this.height++;
  }

  /** Remove (s, e), which must be present. */
  delete(s: number, e: string): void {
    const leaf = this.descend(s, e, -1);
    this.removeAt(leaf, Tree.leafIndex(leaf, s, e));
  }

  /** Remove the element at a 0-based rank. */
  deleteRank(rank: number): void {
    this.findRank(rank, -1);
    this.removeAt(hitLeaf, hitIdx);
  }

  private removeAt(leaf: Leaf, i: number): void {
    this.dict.delete(leaf.ele[i]);
    if (i === leaf.sc.length - 1) {
      leaf.sc.pop();
      leaf.ele.pop();
    } else {
      leaf.sc.splice(i, 1);
      leaf.ele.splice(i, 1);
    }
    this.length--;
    if (leaf.sc.length < MIN_FILL) this.rebalance();
  }

  /** Merge underfull nodes on the last path into a neighbor when the two fit in one. */
  private rebalance(): void {
    for (let h = this.height - 1; h >= 0; h--) {
      const p = pathNode[h];
      const j = pathIdx[h];
      const level = this.height - 1 - h;
      if (sizeOf(p.kids[j], level) >= MIN_FILL || p.kids.length < 2) break;
      const l = j > 0 ? j - 1 : j;
      const r = l + 1;
      const left = p.kids[l];
      const right = p.kids[r];
      const max = level === 0 ? LEAF_MAX : INNER_MAX;
      if (sizeOf(left, level) + sizeOf(right, level) > max) break;
      if (level === 0) {
        const a = left as Leaf;
        const b = right as Leaf;
        for (let k = 0; k < b.sc.length; k++) {
          a.sc.push(b.sc[k]);
          a.ele.push(b.ele[k]);
        }
        a.next = b.next;
        if (b.next !== null) b.next.prev = a;
        else this.tail = a;
      } else {
        const a = left as Inner;
        const b = right as Inner;
        // b's first separator was never kept up to date; the parent's is valid.
        b.lowSc[0] = p.lowSc[r];
        b.lowEle[0] = p.lowEle[r];
        for (let k = 0; k < b.kids.length; k++) {
          a.kids.push(b.kids[k]);
          a.cnt.push(b.cnt[k]);
          a.lowSc.push(b.lowSc[k]);
          a.lowEle.push(b.lowEle[k]);
        }
      }
      p.cnt[l] += p.cnt[r];
      p.kids.splice(r, 1);
      p.cnt.splice(r, 1);
      p.lowSc.splice(r, 1);
      p.lowEle.splice(r, 1);
    }
    while (this.height > 0 && (this.root as Inner).kids.length === 1) {
      this.root = (this.root as Inner).kids[0];
      this.height--;
    }
  }

  /** Descend to a 0-based rank: sets hitLeaf/hitIdx; delta adjusts the counts on the path. */
  findRank(rank: number, delta: number): void {
    let node = this.root;
    for (let h = 0; h < this.height; h++) {
      const inner = node as Inner;
      const cnt = inner.cnt;
      let j = 0;
      while (rank >= cnt[j]) rank -= cnt[j++];
      pathNode[h] = inner;
      pathIdx[h] = j;
      cnt[j] += delta;
      node = inner.kids[j];
    }
    hitLeaf = node as Leaf;
    hitIdx = rank;
  }

  /** Count of elements before the first one for which pred holds. */
  countBefore(pred: Pred): number {
    let node = this.root;
    let rank = 0;
    for (let h = 0; h < this.height; h++) {
      const inner = node as Inner;
      let lo = 1;
      let hi = inner.lowSc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (pred(inner.lowSc[mid], inner.lowEle[mid])) hi = mid;
        else lo = mid + 1;
      }
      const j = lo - 1;
      for (let k = 0; k < j; k++) rank += inner.cnt[k];
      node = inner.kids[j];
    }
    const leaf = node as Leaf;
    let lo = 0;
    let hi = leaf.sc.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(leaf.sc[mid], leaf.ele[mid])) hi = mid;
      else lo = mid + 1;
    }
    return rank + lo;
  }

  /** 0-based rank of (s, e), which must be present. */
  rankOf(s: number, e: string): number {
    let node = this.root;
    let rank = 0;
    for (let h = 0; h < this.height; h++) {
      const inner = node as Inner;
      const lowSc = inner.lowSc;
      const lowEle = inner.lowEle;
      let lo = 1;
      let hi = lowSc.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (after(lowSc[mid], lowEle[mid], s, e)) hi = mid;
        else lo = mid + 1;
      }
      const j = lo - 1;
      for (let k = 0; k < j; k++) rank += inner.cnt[k];
      node = inner.kids[j];
    }
    return rank + Tree.leafIndex(node as Leaf, s, e);
  }

  /** Change the score of e from s to t, in place when its position does not change. */
  update(s: number, e: string, t: number): void {
    const leaf = this.descend(s, e, 0);
    const i = Tree.leafIndex(leaf, s, e);
    const sc = leaf.sc;
    const ele = leaf.ele;
    if (i > 0 && i < sc.length - 1 && after(t, e, sc[i - 1], ele[i - 1]) && after(sc[i + 1], ele[i + 1], t, e)) {
      sc[i] = t;
      this.dict.set(e, t);
      return;
    }
    for (let h = 0; h < this.height; h++) pathNode[h].cnt[pathIdx[h]]--;
    this.removeAt(leaf, i);
    this.insert(t, e);
  }

  /**
   * A tree from elements already in order, leaves three quarters full so that the next
   * inserts do not split at once.
   */
  static build(ele: string[], sc: number[]): Tree {
    const t = new Tree();
    const n = ele.length;
    if (n === 0) return t;
    const per = (LEAF_MAX * 3) >> 2;
    let level: (Inner | Leaf)[] = [];
    let counts: number[] = [];
    let prev: Leaf | null = null;
    for (let i = 0; i < n; i += per) {
      const leaf = new Leaf();
      leaf.ele = ele.slice(i, i + per);
      leaf.sc = sc.slice(i, i + per);
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      counts.push(leaf.ele.length);
    }
    t.head = level[0] as Leaf;
    t.tail = prev!;
    for (let k = 0; k < n; k++) t.dict.set(ele[k], sc[k]);
    t.length = n;
    const fan = (INNER_MAX * 3) >> 2;
    while (level.length > 1) {
      const up: (Inner | Leaf)[] = [];
      const upCounts: number[] = [];
      for (let i = 0; i < level.length; i += fan) {
        const inner = new Inner();
        inner.kids = level.slice(i, i + fan);
        inner.cnt = counts.slice(i, i + fan);
        for (const kid of inner.kids) {
          inner.lowSc.push(Tree.minScore(kid, t.height));
          inner.lowEle.push(Tree.minEle(kid, t.height));
        }
        up.push(inner);
        upCounts.push(sum(inner.cnt));
      }
      level = up;
      counts = upCounts;
      t.height++;
    }
    t.root = level[0];
    return t;
  }

  private static firstLeaf(n: Inner | Leaf, height: number): Leaf {
    for (let h = 0; h < height; h++) n = (n as Inner).kids[0];
    return n as Leaf;
  }

  private static minScore(n: Inner | Leaf, height: number): number {
    return Tree.firstLeaf(n, height).sc[0];
  }

  private static minEle(n: Inner | Leaf, height: number): string {
    return Tree.firstLeaf(n, height).ele[0];
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
  /** The "skiplist" encoding when not null. */
  private tree: Tree | null = null;
  /** The score the last add() left (the new score after INCR). */
  newScore = 0;

  /** An empty set, listpack or not (ZRANGESTORE picks by the expected size). */
  static create(big: boolean): ZSet {
    const z = new ZSet();
    if (big) z.tree = new Tree();
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
    const ele = order.map((i) => members[i]);
    const sc = order.map((i) => scores[i]);
    if (n <= limits.entries && maxLen <= limits.value) {
      z.ele = ele;
      // The listpack stores scores as text where -0 reads back as 0.
      z.sc = sc.map((s) => (s === 0 ? 0 : s));
    } else {
      z.tree = Tree.build(ele, sc);
    }
    return z;
  }

  get size(): number {
    return this.tree === null ? this.ele.length : this.tree.length;
  }

  get encoding(): "listpack" | "skiplist" {
    return this.tree === null ? "listpack" : "skiplist";
  }

  /** zsetScore(). */
  score(m: string): number | undefined {
    if (this.tree !== null) return this.tree.dict.get(m);
    const i = this.ele.indexOf(m);
    return i < 0 ? undefined : this.sc[i];
  }

  /**
   * zsetAdd(): add or update one member under the ZADD flags. Returns ZADD_* outcome bits;
   * newScore holds the resulting score when the member was added or updated.
   */
  add(score: number, m: string, flags: number, limits: ZLimits): number {
    if (Number.isNaN(score)) return ZADD_NAN;
    if (this.tree === null) {
      const i = this.ele.indexOf(m);
      if (i < 0 && !(flags & ZADD_XX) && (this.ele.length + 1 > limits.entries || m.length > limits.value)) {
        this.tree = Tree.build(this.ele, this.sc);
        this.ele = [];
        this.sc = [];
      } else {
        return this.lpAdd(i, score, m, flags);
      }
    }
    const tree = this.tree;
    const cur = tree.dict.get(m);
    if (cur === undefined) {
      if (flags & ZADD_XX) return ZADD_NOP;
      tree.insert(score, m);
      this.newScore = score;
      return ZADD_ADDED;
    }
    if (flags & ZADD_NX) return ZADD_NOP;
    if (flags & ZADD_INCR) {
      score += cur;
      if (Number.isNaN(score)) return ZADD_NAN;
    }
    if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return ZADD_NOP;
    this.newScore = score;
    if (score === cur) return 0;
    tree.update(cur, m, score);
    return ZADD_UPDATED;
  }

  /** add() on the listpack; i is the member's index or -1. */
  private lpAdd(i: number, score: number, m: string, flags: number): number {
    if (i < 0) {
      if (flags & ZADD_XX) return ZADD_NOP;
      if (score === 0) score = 0;
      this.lpInsert(score, m);
      this.newScore = score;
      return ZADD_ADDED;
    }
    if (flags & ZADD_NX) return ZADD_NOP;
    const cur = this.sc[i];
    if (flags & ZADD_INCR) {
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

  /** zsetDel(). */
  delete(m: string): boolean {
    if (this.tree !== null) {
      const s = this.tree.dict.get(m);
      if (s === undefined) return false;
      this.tree.delete(s, m);
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
    if (this.tree !== null) {
      const s = this.tree.dict.get(m);
      if (s === undefined) return -1;
      r = this.tree.rankOf(s, m);
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
    if (this.tree === null) {
      const ele = this.ele;
      const sc = this.sc;
      if (reverse) {
        for (let i = start; i >= 0; i--) if (visit(ele[i], sc[i]) === false) return;
      } else {
        for (let i = start; i < n; i++) if (visit(ele[i], sc[i]) === false) return;
      }
      return;
    }
    this.tree.findRank(start, 0);
    let leaf: Leaf | null = hitLeaf;
    let i = hitIdx;
    if (reverse) {
      while (leaf !== null) {
        for (; i >= 0; i--) if (visit(leaf.ele[i], leaf.sc[i]) === false) return;
        leaf = leaf.prev;
        if (leaf !== null) i = leaf.sc.length - 1;
      }
    } else {
      while (leaf !== null) {
        for (; i < leaf.sc.length; i++) if (visit(leaf.ele[i], leaf.sc[i]) === false) return;
        leaf = leaf.next;
        i = 0;
      }
    }
  }

  /** Member and score at a 0-based rank (the rank must exist). */
  at(rank: number): [string, number] {
    if (this.tree === null) return [this.ele[rank], this.sc[rank]];
    this.tree.findRank(rank, 0);
    return [hitLeaf.ele[hitIdx], hitLeaf.sc[hitIdx]];
  }

  /** How many members come before the first one for which pred holds. */
  private countBefore(pred: Pred): number {
    if (this.tree !== null) return this.tree.countBefore(pred);
    const sc = this.sc;
    const ele = this.ele;
    let lo = 0;
    let hi = sc.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(sc[mid], ele[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Rank of the first member inside the score range, or -1. */
  firstInRange(r: ScoreRange): number {
    if (emptyScoreRange(r) || this.size === 0) return -1;
    const i = this.countBefore((s) => gteMin(s, r));
    return i < this.size && lteMax(this.at(i)[1], r) ? i : -1;
  }

  /** Rank of the last member inside the score range, or -1. */
  lastInRange(r: ScoreRange): number {
    if (emptyScoreRange(r) || this.size === 0) return -1;
    const i = this.countBefore((s) => !lteMax(s, r)) - 1;
    return i >= 0 && gteMin(this.at(i)[1], r) ? i : -1;
  }

  /** Rank of the first member inside the lex range, or -1. */
  firstInLexRange(r: LexRange): number {
    if (emptyLexRange(r) || this.size === 0) return -1;
    const i = this.countBefore((_, e) => lexGteMin(e, r));
    return i < this.size && lexLteMax(this.at(i)[0], r) ? i : -1;
  }

  /** Rank of the last member inside the lex range, or -1. */
  lastInLexRange(r: LexRange): number {
    if (emptyLexRange(r) || this.size === 0) return -1;
    const i = this.countBefore((_, e) => !lexLteMax(e, r)) - 1;
    return i >= 0 && lexGteMin(this.at(i)[0], r) ? i : -1;
  }

  /** Delete the members at 0-based ranks start..end inclusive. */
  deleteRange(start: number, end: number): void {
    if (this.tree !== null) {
      for (let i = start; i <= end; i++) this.tree.deleteRank(start);
      return;
    }
    this.ele.splice(start, end - start + 1);
    this.sc.splice(start, end - start + 1);
  }

  /** Remove and return the lowest (or highest) member. The set must not be empty. */
  pop(max: boolean): [string, number] {
    if (this.tree === null) {
      if (max) return [this.ele.pop()!, this.sc.pop()!];
      return [this.ele.shift()!, this.sc.shift()!];
    }
    const t = this.tree;
    const leaf = max ? t.tail : t.head;
    const i = max ? leaf.sc.length - 1 : 0;
    const m = leaf.ele[i];
    const s = leaf.sc[i];
    t.delete(s, m);
    return [m, s];
  }

  /** A uniformly random member. The set must not be empty. */
  random(): [string, number] {
    return this.at(Math.floor(Math.random() * this.size));
  }

  /** An independent copy with the same encoding (COPY). */
  clone(): ZSet {
    const z = new ZSet();
    if (this.tree === null) {
      z.ele = this.ele.slice();
      z.sc = this.sc.slice();
      return z;
    }
    const ele: string[] = [];
    const sc: number[] = [];
    for (let leaf: Leaf | null = this.tree.head; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.sc.length; i++) {
        ele.push(leaf.ele[i]);
        sc.push(leaf.sc[i]);
      }
    }
    z.tree = Tree.build(ele, sc);
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
