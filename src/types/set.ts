// Set values (Redis 7.0 t_set.c). A set whose members are all 64-bit integers is an "intset":
// a sorted typed array, binary searched, while it has at most set-max-intset-entries members.
// Anything else is a "hashtable" (Table keyed by the members' latin1 strings), for good.
// Redis 7.0 has no listpack sets.

import { bytes, latin1, parseInt64 } from "../util/bytes.ts";
import { keyBytes, Table } from "./hash.ts";

/**
 * A member as the set algorithms pass it around: an integer (from an intset; a bigint only
 * beyond 2^53) or the latin1 string of the member's bytes (from a hashtable).
 */
export type Member = number | bigint | string;

/** Redis caps intsets at 2^30 members whatever set-max-intset-entries says. */
const INTSET_CAP = 1 << 30;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const STRICT_INT = /^(?:0|-?[1-9][0-9]{0,18})$/;

/** string2ll on a latin1 member string: the integer it spells exactly, or null. */
export function intOfKey(s: string): number | bigint | null {
  if (!STRICT_INT.test(s)) return null;
  if (s.length <= 15) return Number(s);
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

/** Whether a member is an integer as an intset stores it. */
export function isIntMember(m: Member): boolean {
  return typeof m !== "string" || intOfKey(m) !== null;
}

/** The table key of a member. */
export function keyOfMember(m: Member): string {
  return typeof m === "string" ? m : String(m);
}

/** The bytes of a member, for replies and argument vectors. */
export function memberBytes(m: Member): Uint8Array {
  return typeof m === "string" ? keyBytes(m) : bytes(String(m));
}

/** Sorted int64 members. Values stay doubles (exact below 2^53) until a bigger one arrives. */
export class IntSet {
  private a: Float64Array | BigInt64Array = new Float64Array(4);
  len = 0;

  /** Index of v, or -(insertion point) - 1. */
  search(v: number | bigint): number {
    const a = this.a;
    let lo = 0;
    let hi = this.len - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = a[mid];
      if (x < v) lo = mid + 1;
      else if (x > v) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  get(i: number): number | bigint {
    return this.a[i];
  }

  add(v: number | bigint): boolean {
    const pos = this.search(v);
    if (pos >= 0) return false;
    const at = -pos - 1;
    if (typeof v === "bigint" && this.a instanceof Float64Array) this.widen();
    if (this.len === this.a.length) this.grow();
    const a = this.a;
    a.copyWithin(at + 1, at, this.len);
    if (a instanceof BigInt64Array) a[at] = BigInt(v);
    else a[at] = v as number;
    this.len++;
    return true;
  }

  remove(v: number | bigint): boolean {
    const pos = this.search(v);
    if (pos < 0) return false;
    this.a.copyWithin(pos, pos + 1, this.len);
    this.len--;
    return true;
  }

  private widen(): void {
    const b = new BigInt64Array(this.a.length);
    for (let i = 0; i < this.len; i++) b[i] = BigInt(this.a[i]);
    this.a = b;
  }

  private grow(): void {
    const b = this.a instanceof BigInt64Array ? new BigInt64Array(this.a.length * 2) : new Float64Array(this.a.length * 2);
    b.set(this.a as never);
    this.a = b;
  }

  clone(): IntSet {
    const s = new IntSet();
    s.a = this.a.slice();
    s.len = this.len;
    return s;
  }
}

export class SetValue {
  /** Intset encoding; null once converted. */
  ints: IntSet | null;
  /** Hashtable encoding. */
  ht: Table<null> | null;

  /** setTypeCreate: an intset when the set's first member is an integer, else a hashtable. */
  constructor(intset: boolean) {
    this.ints = intset ? new IntSet() : null;
    this.ht = intset ? null : new Table<null>(false);
  }

  get size(): number {
    return this.ints !== null ? this.ints.len : this.ht!.size;
  }

  get encoding(): string {
    return this.ints !== null ? "intset" : "hashtable";
  }

  has(m: Member): boolean {
    if (this.ints !== null) {
      const v = typeof m === "string" ? intOfKey(m) : m;
      return v !== null && this.ints.search(v) >= 0;
    }
    return this.ht!.has(keyOfMember(m));
  }

  hasBytes(b: Uint8Array): boolean {
    if (this.ints !== null) {
      const v = parseInt64(b);
      return v !== null && this.ints.search(v) >= 0;
    }
    return this.ht!.has(latin1(b));
  }

  /** setTypeAdd: returns whether m is new. maxInts is set-max-intset-entries. */
  add(m: Member, maxInts: number): boolean {
    const ints = this.ints;
    if (ints !== null) {
      const v = typeof m === "string" ? intOfKey(m) : m;
      if (v !== null) {
        if (!ints.add(v)) return false;
        if (ints.len > Math.min(maxInts, INTSET_CAP)) this.convert();
        return true;
      }
      this.convert();
    }
    const ht = this.ht!;
    const key = keyOfMember(m);
    if (ht.has(key)) return false;
    ht.add(key, null);
    return true;
  }

  addBytes(b: Uint8Array, maxInts: number): boolean {
    if (this.ints !== null) {
      const v = parseInt64(b);
      return this.add(v === null ? latin1(b) : v, maxInts);
    }
    const ht = this.ht!;
    const key = latin1(b);
    if (ht.has(key)) return false;
    ht.add(key, null);
    return true;
  }

  remove(m: Member): boolean {
    if (this.ints !== null) {
      const v = typeof m === "string" ? intOfKey(m) : m;
      return v !== null && this.ints.remove(v);
    }
    return this.ht!.remove(keyOfMember(m));
  }

  removeBytes(b: Uint8Array): boolean {
    if (this.ints !== null) {
      const v = parseInt64(b);
      return v !== null && this.ints.remove(v);
    }
    return this.ht!.remove(latin1(b));
  }

  /** setTypeConvert: intset → hashtable. */
  convert(): void {
    const ints = this.ints;
    if (ints === null) return;
    const ht = new Table<null>(false);
    for (let i = 0; i < ints.len; i++) ht.add(String(ints.get(i)), null);
    this.ht = ht;
    this.ints = null;
  }

  // Positions address members uniformly across encodings: an intset index, or a table slot
  // (which may be a hole: check live()).

  /** One past the last position. */
  get positions(): number {
    return this.ints !== null ? this.ints.len : this.ht!.keys.length;
  }

  live(pos: number): boolean {
    return this.ints !== null || this.ht!.keys[pos] !== null;
  }

  memberAt(pos: number): Member {
    return this.ints !== null ? this.ints.get(pos) : this.ht!.keys[pos]!;
  }

  /** A uniformly chosen live position (the set must not be empty). */
  randomPos(): number {
    return this.ints !== null ? (Math.random() * this.ints.len) | 0 : this.ht!.randomSlot();
  }

  /** Every member, in iteration order (ascending for an intset). */
  members(): Member[] {
    const out: Member[] = [];
    const n = this.positions;
    for (let p = 0; p < n; p++) if (this.live(p)) out.push(this.memberAt(p));
    return out;
  }

  clone(): SetValue {
    const s = new SetValue(true);
    s.ints = this.ints === null ? null : this.ints.clone();
    s.ht = this.ht === null ? null : this.ht.clone();
    return s;
  }
}
