// Hash values (Redis t_hash.c). A small hash is a "listpack": one flat array of field/value
// byte strings searched linearly, which costs little more than the bytes themselves. Once it
// holds more than hash-max-listpack-entries fields, or a field or value longer than
// hash-max-listpack-value bytes, it becomes a Table for good (Redis never converts back).
// Stored byte arrays are never edited in place (updates replace them), so copies may share them.

import { equal, latin1 } from "../util/bytes.ts";

// latin1() decodes with TextDecoder("latin1"), which the WHATWG encoding standard defines as
// windows-1252: 27 bytes of 0x80-0x9F become other code points (0x80 → U+20AC). The mapping
// is still one to one, so Table keys are exact; keyBytes() undoes it.
const CP1252_BACK = new Map<number, number>();
for (let b = 0x80; b < 0xa0; b++) {
  const ch = latin1(Uint8Array.of(b)).charCodeAt(0);
  if (ch !== b) CP1252_BACK.set(ch, b);
}

/** The bytes a Table key (latin1() of them) stands for. */
export function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    out[i] = ch < 256 ? ch : CP1252_BACK.get(ch)!;
  }
  return out;
}

/**
 * An insertion-ordered hash table keyed by latin1() strings of bytes (see keyBytes), the
 * "hashtable" encoding of hashes and sets. Deleted slots stay as holes until they outnumber
 * the live ones, which keeps a uniform random pick O(1) (SPOP, SRANDMEMBER, HRANDFIELD).
 * Every slot carries an ascending sequence number and SCAN cursors are those numbers, so an
 * element present for a whole scan is returned exactly once, whatever is added or deleted.
 */
export class Table<V> {
  private index = new Map<string, number>();
  /** Slot keys in insertion order; null marks a deleted slot. */
  keys: (string | null)[] = [];
  /** Slot values, parallel to keys; null for key-only tables (sets). */
  vals: V[] | null;
  private seqs: number[] = [];
  private nextSeq = 1;
  private holes = 0;

  constructor(withValues: boolean) {
    this.vals = withValues ? [] : null;
  }

  get size(): number {
    return this.index.size;
  }

  /** The slot of key, or -1. */
  slot(key: string): number {
    const s = this.index.get(key);
    return s === undefined ? -1 : s;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Append a key known to be absent. */
  add(key: string, val: V): void {
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    if (this.vals !== null) this.vals.push(val);
    this.seqs.push(this.nextSeq++);
  }

  /** Remove key; returns whether it was there. */
  remove(key: string): boolean {
    const s = this.index.get(key);
    if (s === undefined) return false;
    this.removeSlot(s);
    return true;
  }

  removeSlot(s: number): void {
    this.index.delete(this.keys[s]!);
    this.keys[s] = null;
    if (this.vals !== null) this.vals[s] = undefined as V;
    this.holes++;
    if (this.holes > this.index.size) this.compact();
  }

  /** Drop the holes; amortized O(1) per removal since it runs once they outnumber live slots. */
  private compact(): void {
    const keys = this.keys;
    const vals = this.vals;
    const seqs = this.seqs;
    let j = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k === null) continue;
      keys[j] = k;
      if (vals !== null) vals[j] = vals[i];
      seqs[j] = seqs[i];
      this.index.set(k, j);
      j++;
    }
    keys.length = j;
    if (vals !== null) vals.length = j;
    seqs.length = j;
    this.holes = 0;
  }

  /** A uniformly chosen live slot (the table must not be empty). */
  randomSlot(): number {
    const n = this.keys.length;
    for (;;) {
      const s = (Math.random() * n) | 0;
      if (this.keys[s] !== null) return s;
    }
  }

  /**
   * Visit up to count live slots from cursor on (0 = the start); returns the cursor to
   * continue from, 0 when the walk is complete.
   */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    const seqs = this.seqs;
    const keys = this.keys;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    let i = lo;
    for (; i < keys.length && seen < count; i++) {
      if (keys[i] === null) continue;
      visit(i);
      seen++;
    }
    while (i < keys.length && keys[i] === null) i++;
    return i < keys.length ? seqs[i] : 0;
  }

  clone(): Table<V> {
    const t = new Table<V>(this.vals !== null);
    t.index = new Map(this.index);
    t.keys = this.keys.slice();
    t.vals = this.vals === null ? null : this.vals.slice();
    t.seqs = this.seqs.slice();
    t.nextSeq = this.nextSeq;
    t.holes = this.holes;
    return t;
  }
}

export interface HashLimits {
  /** hash-max-listpack-entries */
  entries: number;
  /** hash-max-listpack-value */
  value: number;
}

export class HashValue {
  /** Listpack encoding: [field0, value0, field1, value1, ...]; null once converted. */
  lp: Uint8Array[] | null = [];
  /** Hashtable encoding: latin1 field → value. */
  ht: Table<Uint8Array> | null = null;

  get size(): number {
    return this.lp !== null ? this.lp.length >> 1 : this.ht!.size;
  }

  get encoding(): string {
    return this.lp !== null ? "listpack" : "hashtable";
  }

  /** Index of field in the listpack, or -1. */
  private lpFind(lp: Uint8Array[], field: Uint8Array): number {
    for (let i = 0; i < lp.length; i += 2) if (equal(lp[i], field)) return i;
    return -1;
  }

  get(field: Uint8Array): Uint8Array | null {
    const lp = this.lp;
    if (lp !== null) {
      const i = this.lpFind(lp, field);
      return i < 0 ? null : lp[i + 1];
    }
    const ht = this.ht!;
    const s = ht.slot(latin1(field));
    return s < 0 ? null : ht.vals![s];
  }

  has(field: Uint8Array): boolean {
    return this.lp !== null ? this.lpFind(this.lp, field) >= 0 : this.ht!.has(latin1(field));
  }

  /**
   * hashTypeSet: store a copy of value under field; returns whether the field is new.
   * Converts to a hashtable when the pair or the new size exceeds the listpack limits.
   */
  set(field: Uint8Array, value: Uint8Array, limits: HashLimits): boolean {
    const lp = this.lp;
    if (lp !== null && (field.length > limits.value || value.length > limits.value)) this.convert();
    if (this.lp !== null) {
      const i = this.lpFind(this.lp, field);
      if (i >= 0) {
        this.lp[i + 1] = value.slice();
        return false;
      }
      this.lp.push(field.slice(), value.slice());
      if (this.lp.length >> 1 > limits.entries) this.convert();
      return true;
    }
    const ht = this.ht!;
    const key = latin1(field);
    const s = ht.slot(key);
    if (s >= 0) {
      ht.vals![s] = value.slice();
      return false;
    }
    ht.add(key, value.slice());
    return true;
  }

  delete(field: Uint8Array): boolean {
    const lp = this.lp;
    if (lp !== null) {
      const i = this.lpFind(lp, field);
      if (i < 0) return false;
      lp.splice(i, 2);
      return true;
    }
    return this.ht!.remove(latin1(field));
  }

  /** hashTypeConvert: listpack → hashtable. */
  convert(): void {
    const lp = this.lp;
    if (lp === null) return;
    const ht = new Table<Uint8Array>(true);
    for (let i = 0; i < lp.length; i += 2) ht.add(latin1(lp[i]), lp[i + 1]);
    this.ht = ht;
    this.lp = null;
  }

  // Positions address entries uniformly across encodings: a listpack pair index, or a table
  // slot (which may be a hole: check live()).

  /** One past the last position. */
  get positions(): number {
    return this.lp !== null ? this.lp.length >> 1 : this.ht!.keys.length;
  }

  live(pos: number): boolean {
    return this.lp !== null || this.ht!.keys[pos] !== null;
  }

  fieldAt(pos: number): Uint8Array {
    return this.lp !== null ? this.lp[pos * 2] : keyBytes(this.ht!.keys[pos]!);
  }

  valueAt(pos: number): Uint8Array {
    return this.lp !== null ? this.lp[pos * 2 + 1] : this.ht!.vals![pos];
  }

  /** A uniformly chosen live position (the hash must not be empty). */
  randomPos(): number {
    return this.lp !== null ? (Math.random() * (this.lp.length >> 1)) | 0 : this.ht!.randomSlot();
  }

  clone(): HashValue {
    const h = new HashValue();
    h.lp = this.lp === null ? null : this.lp.slice();
    h.ht = this.ht === null ? null : this.ht.clone();
    return h;
  }
}
