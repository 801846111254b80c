// Stream values (Redis stream.h / t_stream.c): entries keyed by 128-bit IDs in nodes that
// mirror Redis's rax of listpacks, and consumer groups with their pending entries lists.
//
// IDs are two unsigned 64-bit numbers (ms, seq). Redis's own suite uses the whole range
// (18446744073709551615-18446744073709551615), beyond what a double holds exactly, so each
// half is kept as two 32-bit words; only parsing and printing large values go through BigInt.
//
// Entries are appended in ID order, so only the last node ever grows. A node holds up to
// stream-node-max-entries entries or stream-node-max-bytes bytes *as Redis would encode its
// listpack*: the node boundaries then fall where Redis puts them, which MAXLEN/MINID "~"
// (whole nodes only), LIMIT and XINFO's radix-tree-keys expose to clients. Node contents
// are packed typed arrays (ids, flags, element offsets, one byte buffer) rather than an
// object per entry, and entries with the node's master fields store only their values.

import { parseInt64 } from "../util/bytes.ts";

const U32_MAX = 0xffffffff;
const TWO32 = 4294967296;
/** Below this high word, hi * 2^32 + lo is an exact double. */
const SAFE_HI = 0x200000;

/** A stream entry ID: 64-bit ms and seq, each as high and low 32-bit words. */
export class StreamId {
  constructor(
    public msHi = 0,
    public msLo = 0,
    public seqHi = 0,
    public seqLo = 0,
  ) {}

  static max(): StreamId {
    return new StreamId(U32_MAX, U32_MAX, U32_MAX, U32_MAX);
  }

  set(o: StreamId): this {
    this.msHi = o.msHi;
    this.msLo = o.msLo;
    this.seqHi = o.seqHi;
    this.seqLo = o.seqLo;
    return this;
  }

  setWords(msHi: number, msLo: number, seqHi: number, seqLo: number): this {
    this.msHi = msHi;
    this.msLo = msLo;
    this.seqHi = seqHi;
    this.seqLo = seqLo;
    return this;
  }

  setZero(): this {
    return this.setWords(0, 0, 0, 0);
  }

  setMax(): this {
    return this.setWords(U32_MAX, U32_MAX, U32_MAX, U32_MAX);
  }

  /** ms-0 for a millisecond clock reading. */
  setMs(ms: number): this {
    const hi = Math.floor(ms / TWO32);
    return this.setWords(hi, ms - hi * TWO32, 0, 0);
  }

  clone(): StreamId {
    return new StreamId(this.msHi, this.msLo, this.seqHi, this.seqLo);
  }

  isZero(): boolean {
    return (this.msHi | this.msLo | this.seqHi | this.seqLo) === 0;
  }

  isMax(): boolean {
    return this.msHi === U32_MAX && this.msLo === U32_MAX && this.seqHi === U32_MAX && this.seqLo === U32_MAX;
  }

  sameMs(o: StreamId): boolean {
    return this.msHi === o.msHi && this.msLo === o.msLo;
  }

  compare(o: StreamId): number {
    if (this.msHi !== o.msHi) return this.msHi < o.msHi ? -1 : 1;
    if (this.msLo !== o.msLo) return this.msLo < o.msLo ? -1 : 1;
    if (this.seqHi !== o.seqHi) return this.seqHi < o.seqHi ? -1 : 1;
    if (this.seqLo !== o.seqLo) return this.seqLo < o.seqLo ? -1 : 1;
    return 0;
  }

  /** streamIncrID: the next ID; the maximum wraps to 0-0 and returns false. */
  incr(): boolean {
    if (this.seqLo !== U32_MAX) {
      this.seqLo++;
      return true;
    }
    this.seqLo = 0;
    if (this.seqHi !== U32_MAX) {
      this.seqHi++;
      return true;
    }
    this.seqHi = 0;
    if (this.msLo !== U32_MAX) {
      this.msLo++;
      return true;
    }
    this.msLo = 0;
    if (this.msHi !== U32_MAX) {
      this.msHi++;
      return true;
    }
    this.msHi = 0;
    return false;
  }

  /** streamDecrID: the previous ID; 0-0 wraps to the maximum and returns false. */
  decr(): boolean {
    if (this.seqLo !== 0) {
      this.seqLo--;
      return true;
    }
    this.seqLo = U32_MAX;
    if (this.seqHi !== 0) {
      this.seqHi--;
      return true;
    }
    this.seqHi = U32_MAX;
    if (this.msLo !== 0) {
      this.msLo--;
      return true;
    }
    this.msLo = U32_MAX;
    if (this.msHi !== 0) {
      this.msHi--;
      return true;
    }
    this.msHi = U32_MAX;
    return false;
  }

  toString(): string {
    return u64String(this.msHi, this.msLo) + "-" + u64String(this.seqHi, this.seqLo);
  }
}

export function u64String(hi: number, lo: number): string {
  if (hi < SAFE_HI) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Split a value in [0, 2^64) into its high and low words (stored in out[0], out[1]). */
export function u64Words(v: number | bigint, out: number[]): void {
  if (typeof v === "number") {
    const hi = Math.floor(v / TWO32);
    out[0] = hi;
    out[1] = v - hi * TWO32;
  } else {
    out[0] = Number(v >> 32n);
    out[1] = Number(v & 0xffffffffn);
  }
}

/** The ID stored at word offset o of a node's id array, compared with id. */
function compareAt(ids: Uint32Array, o: number, id: StreamId): number {
  let a = ids[o];
  let b = id.msHi;
  if (a !== b) return a < b ? -1 : 1;
  a = ids[o + 1];
  b = id.msLo;
  if (a !== b) return a < b ? -1 : 1;
  a = ids[o + 2];
  b = id.seqHi;
  if (a !== b) return a < b ? -1 : 1;
  a = ids[o + 3];
  b = id.seqLo;
  if (a !== b) return a < b ? -1 : 1;
  return 0;
}

// ---- listpack size accounting (listpack.c) --------------------------------------------------

/** Bytes of the back-length field that follows an element of `len` encoded bytes. */
function backlen(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/** Encoded bytes of an integer element (lpEncodeIntegerGetType), back-length included. */
function intElement(v: number): number {
  let enc: number;
  if (v >= 0 && v <= 127) enc = 1;
  else if (v >= -4096 && v <= 4095) enc = 2;
  else if (v >= -32768 && v <= 32767) enc = 3;
  else if (v >= -8388608 && v <= 8388607) enc = 4;
  else if (v >= -2147483648 && v <= 2147483647) enc = 5;
  else enc = 9;
  return enc + 1;
}

/** Encoded bytes of a string element: integers in canonical form are stored as integers. */
function stringElement(b: Uint8Array): number {
  if (b.length <= 20) {
    const v = parseInt64(b);
    if (v !== null) return intElement(typeof v === "number" ? v : Number.MAX_VALUE);
  }
  const n = b.length;
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlen(enc);
}

/** Encoded bytes of an ID delta stored as int64 (wrapping): hi:lo is its two's complement. */
function deltaElement(hi: number, lo: number): number {
  if (hi === 0) return intElement(lo);
  if (hi === U32_MAX) return intElement(lo - TWO32);
  return 10;
}

/** ID difference a - b of two u64 given as words, as wrapped 64-bit words (into out). */
function subWords(aHi: number, aLo: number, bHi: number, bLo: number, out: number[]): void {
  let lo = aLo - bLo;
  let hi = aHi - bHi;
  if (lo < 0) {
    lo += TWO32;
    hi--;
  }
  if (hi < 0) hi += TWO32;
  out[0] = hi;
  out[1] = lo;
}

const LP_HEADER_AND_END = 7;
const FLAG_ELEMENT = 2;
const words = [0, 0];

// ---- nodes ----------------------------------------------------------------------------------

const F_DELETED = 1;
const F_SAMEFIELDS = 2;

/** One Redis listpack worth of consecutive entries. */
export class StreamNode {
  /** The ID of the first entry added here (Redis's rax key), kept after that entry is deleted. */
  readonly master: StreamId;
  /** Field names of the first entry: entries with exactly these fields store only values. */
  readonly masterFields: Uint8Array[];
  /** Entries including tombstones. */
  size = 0;
  /** Entries not deleted. */
  live = 0;
  /** Four words (ms hi/lo, seq hi/lo) per entry. */
  ids: Uint32Array;
  flags: Uint8Array;
  /** Index of each entry's first element; first[size] is the element count. */
  first: Uint32Array;
  /** End offset in data of each element (field or value). */
  ends: Uint32Array;
  data: Uint8Array;
  private used = 0;
  /** Listpack bytes besides the live/deleted counters of the master entry. */
  private lpRest: number;

  private constructor(master: StreamId, masterFields: Uint8Array[], lpRest: number) {
    this.master = master;
    this.masterFields = masterFields;
    this.lpRest = lpRest;
    this.ids = new Uint32Array(16);
    this.flags = new Uint8Array(4);
    this.first = new Uint32Array(5);
    this.ends = new Uint32Array(8);
    this.data = new Uint8Array(64);
  }

  /** A node whose master entry takes the fields of argv[from ...] (nfields pairs). */
  static create(id: StreamId, argv: Uint8Array[], from: number, nfields: number): StreamNode {
    const fields: Uint8Array[] = [];
    let rest = LP_HEADER_AND_END + intElement(nfields) + intElement(0);
    for (let i = 0; i < nfields; i++) {
      const f = argv[from + i * 2].slice();
      fields.push(f);
      rest += stringElement(f);
    }
    return new StreamNode(id.clone(), fields, rest);
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.master, this.masterFields, this.lpRest);
    copy.size = this.size;
    copy.live = this.live;
    copy.ids = this.ids.slice();
    copy.flags = this.flags.slice();
    copy.first = this.first.slice();
    copy.ends = this.ends.slice();
    copy.data = this.data.slice();
    copy.used = this.used;
    return copy;
  }

  /** lpBytes(): the listpack's total size in Redis. */
  get lpBytes(): number {
    return this.lpRest + intElement(this.live) + intElement(this.size - this.live);
  }

  /** Whether an entry with these fields can share the master fields (SAMEFIELDS). */
  sameFields(argv: Uint8Array[], from: number, nfields: number): boolean {
    const mf = this.masterFields;
    if (mf.length !== nfields) return false;
    for (let i = 0; i < nfields; i++) {
      const a = mf[i];
      const b = argv[from + i * 2];
      if (a.length !== b.length) return false;
      for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
    }
    return true;
  }

  append(id: StreamId, argv: Uint8Array[], from: number, nfields: number): void {
    const same = this.sameFields(argv, from, nfields);
    const i = this.size;
    if (i === this.flags.length) this.growEntries();
    const o = i * 4;
    this.ids[o] = id.msHi;
    this.ids[o + 1] = id.msLo;
    this.ids[o + 2] = id.seqHi;
    this.ids[o + 3] = id.seqLo;
    this.flags[i] = same ? F_SAMEFIELDS : 0;

    const m = this.master;
    let lp = FLAG_ELEMENT;
    subWords(id.msHi, id.msLo, m.msHi, m.msLo, words);
    lp += deltaElement(words[0], words[1]);
    subWords(id.seqHi, id.seqLo, m.seqHi, m.seqLo, words);
    lp += deltaElement(words[0], words[1]);
    let elems = this.first[i];
    const step = same ? 2 : 1;
    const count = same ? nfields : nfields * 2;
    if (this.ends.length < elems + count) this.ends = growU32(this.ends, elems + count);
    for (let k = same ? 1 : 0; k < nfields * 2; k += step) {
      const b = argv[from + k];
      lp += stringElement(b);
      this.push(b, elems++);
    }
    if (!same) lp += intElement(nfields);
    lp += intElement(same ? nfields + 3 : nfields * 2 + 4);
    this.lpRest += lp;
    this.first[i + 1] = elems;
    this.size++;
    this.live++;
  }

  private push(b: Uint8Array, elem: number): void {
    const need = this.used + b.length;
    if (need > this.data.length) {
      let cap = Math.max(this.data.length * 2, 64);
      while (cap < need) cap *= 2;
      const nd = new Uint8Array(cap);
      nd.set(this.data.subarray(0, this.used));
      this.data = nd;
    }
    this.data.set(b, this.used);
    this.used = need;
    this.ends[elem] = need;
  }

  /** lpShrinkToFit: drop the spare capacity of a node that will not grow any more. */
  shrinkToFit(): void {
    const n = this.size;
    const elems = this.first[n];
    if (this.flags.length > n) {
      this.ids = this.ids.slice(0, n * 4);
      this.flags = this.flags.slice(0, n);
      this.first = this.first.slice(0, n + 1);
    }
    if (this.ends.length > elems) this.ends = this.ends.slice(0, elems);
    if (this.data.length > this.used) this.data = this.data.slice(0, this.used);
  }

  private growEntries(): void {
    const cap = Math.max(this.flags.length * 2, 4);
    this.ids = growU32(this.ids, cap * 4);
    const nf = new Uint8Array(cap);
    nf.set(this.flags);
    this.flags = nf;
    this.first = growU32(this.first, cap + 1);
  }

  isDeleted(i: number): boolean {
    return (this.flags[i] & F_DELETED) !== 0;
  }

  /** Mark entry i deleted (a tombstone: it stays in the node, like Redis). */
  markDeleted(i: number): void {
    this.flags[i] |= F_DELETED;
    this.live--;
  }

  compareAt(i: number, id: StreamId): number {
    return compareAt(this.ids, i * 4, id);
  }

  idAt(i: number, out: StreamId): StreamId {
    const o = i * 4;
    return out.setWords(this.ids[o], this.ids[o + 1], this.ids[o + 2], this.ids[o + 3]);
  }

  idString(i: number): string {
    const o = i * 4;
    const ids = this.ids;
    return u64String(ids[o], ids[o + 1]) + "-" + u64String(ids[o + 2], ids[o + 3]);
  }

  /** Number of field-value pairs of entry i. */
  fieldCount(i: number): number {
    const n = this.first[i + 1] - this.first[i];
    return this.flags[i] & F_SAMEFIELDS ? n : n >> 1;
  }

  /** Whether entry i keeps only values (its fields are masterFields). */
  usesMasterFields(i: number): boolean {
    return (this.flags[i] & F_SAMEFIELDS) !== 0;
  }

  elemStart(e: number): number {
    return e === 0 ? 0 : this.ends[e - 1];
  }

  /** First entry index with ID >= id (size when none). */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.ids, mid * 4, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First entry index with ID > id (size when none). */
  upperBound(id: StreamId): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.ids, mid * 4, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the entry with this exact ID, or -1. */
  indexOf(id: StreamId): number {
    const i = this.lowerBound(id);
    return i < this.size && compareAt(this.ids, i * 4, id) === 0 ? i : -1;
  }
}

function growU32(a: Uint32Array, need: number): Uint32Array {
  let cap = Math.max(a.length * 2, 8);
  while (cap < need) cap *= 2;
  const n = new Uint32Array(cap);
  n.set(a);
  return n;
}

/** Receives entries of a range walk; returns false to stop. */
export type EntryVisitor = (node: StreamNode, i: number) => boolean;

export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

/** Redis's streamAddTrimArgs, the trimming part. */
export interface TrimSpec {
  strategy: number;
  approx: boolean;
  /** Most entries to delete; 0 = no limit. */
  limit: number;
  maxlen: number;
  minid: StreamId;
}

/** Redis's SCG_INVALID_ENTRIES_READ. */
export const INVALID_ENTRIES_READ = -1;

// ---- the stream -----------------------------------------------------------------------------

export class Stream {
  /** Nodes in ID order; nodes[head] is the first one (trimming advances head). */
  private nodes: StreamNode[] = [];
  private head = 0;
  /** Node index found by the last locate(). */
  private hitNode = 0;
  /** radixTreeNodes() of the current node set, -1 once nodes were added or removed. */
  private treeNodes = -1;
  length = 0;
  readonly lastId = new StreamId();
  /** The first live entry (0-0 when empty). */
  readonly firstId = new StreamId();
  readonly maxDeletedId = new StreamId();
  entriesAdded = 0;
  /** Consumer groups by latin1 name; null until the first XGROUP CREATE. */
  groups: Map<string, ConsumerGroup> | null = null;

  get nodeCount(): number {
    return this.nodes.length - this.head;
  }

  /**
   * streamAppendItem after the ID was validated: add the entry with fields/values
   * argv[from ...] (nfields pairs), opening a new node when the last one is full.
   */
  append(id: StreamId, argv: Uint8Array[], from: number, nfields: number, maxEntries: number, maxBytes: number): void {
    let node = this.nodes.length > this.head ? this.nodes[this.nodes.length - 1] : null;
    if (node !== null) {
      let payload = 0;
      for (let k = 0; k < nfields * 2; k++) payload += argv[from + k].length;
      const limit = maxBytes === 0 || maxBytes > LISTPACK_MAX ? LISTPACK_MAX : maxBytes;
      if (node.lpBytes + payload >= limit || (maxEntries !== 0 && node.size >= maxEntries)) {
        node.shrinkToFit();
        node = null;
      }
    }
    if (node === null) {
      node = StreamNode.create(id, argv, from, nfields);
      this.nodes.push(node);
      this.treeNodes = -1;
    }
    node.append(id, argv, from, nfields);
    this.length++;
    this.entriesAdded++;
    this.lastId.set(id);
    if (this.length === 1) this.firstId.set(id);
  }

  /** Index in nodes of the last node whose master ID is <= id, or -1. */
  private seekNode(id: StreamId): number {
    const nodes = this.nodes;
    let lo = this.head;
    let hi = nodes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (nodes[mid].master.compare(id) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The entry index of a live entry with this ID (its node index goes to hitNode), or -1. */
  private locate(id: StreamId): number {
    const n = this.seekNode(id);
    if (n < 0) return -1;
    const node = this.nodes[n];
    const i = node.indexOf(id);
    if (i < 0 || node.isDeleted(i)) return -1;
    this.hitNode = n;
    return i;
  }

  /** streamEntryExists: a live entry with this ID is in the stream. */
  has(id: StreamId): boolean {
    return this.locate(id) >= 0;
  }

  /** Visit the live entry with this ID, if any; returns whether it exists. */
  visitEntry(id: StreamId, visit: EntryVisitor): boolean {
    const i = this.locate(id);
    if (i < 0) return false;
    visit(this.nodes[this.hitNode], i);
    return true;
  }

  /** streamDeleteItem: turn a live entry into a tombstone (dropping emptied nodes). */
  delete(id: StreamId): boolean {
    const i = this.locate(id);
    if (i < 0) return false;
    const node = this.nodes[this.hitNode];
    if (node.live === 1) this.removeNode(this.hitNode);
    else node.markDeleted(i);
    this.length--;
    return true;
  }

  private removeNode(n: number): void {
    if (n === this.head) this.dropHead();
    else this.nodes.splice(n, 1);
    this.treeNodes = -1;
  }

  /** Remove the first node; the array is compacted once the dead prefix dominates. */
  private dropHead(): void {
    this.treeNodes = -1;
    (this.nodes as (StreamNode | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head === this.nodes.length) {
      this.nodes = [];
      this.head = 0;
    } else if (this.head >= 32 && this.head * 2 >= this.nodes.length) {
      this.nodes = this.nodes.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Walk live entries with start <= ID <= end in order (reverse order when rev), as
   * streamIteratorGetID does, until visit returns false.
   */
  range(start: StreamId, end: StreamId, rev: boolean, visit: EntryVisitor): void {
    const nodes = this.nodes;
    if (!rev) {
      let n = this.seekNode(start);
      if (n < 0) n = this.head;
      let i = n < nodes.length ? nodes[n].lowerBound(start) : 0;
      for (; n < nodes.length; n++, i = 0) {
        const node = nodes[n];
        for (; i < node.size; i++) {
          if (node.isDeleted(i)) continue;
          if (node.compareAt(i, end) > 0) return;
          if (!visit(node, i)) return;
        }
      }
    } else {
      let n = this.seekNode(end);
      if (n < 0) return;
      let i = nodes[n].upperBound(end) - 1;
      for (;;) {
        const node = nodes[n];
        for (; i >= 0; i--) {
          if (node.isDeleted(i)) continue;
          if (node.compareAt(i, start) < 0) return;
          if (!visit(node, i)) return;
        }
        if (--n < this.head) return;
        i = nodes[n].size - 1;
      }
    }
  }

  /**
   * streamGetEdgeID: the first or last entry's ID into out, tombstones included unless
   * skipTombstones; the maximum (first) or 0-0 (last) when there is none.
   */
  edgeId(first: boolean, skipTombstones: boolean, out: StreamId): StreamId {
    const nodes = this.nodes;
    if (first) {
      for (let n = this.head; n < nodes.length; n++) {
        const node = nodes[n];
        for (let i = 0; i < node.size; i++) if (!skipTombstones || !node.isDeleted(i)) return node.idAt(i, out);
      }
      return out.setMax();
    }
    for (let n = nodes.length - 1; n >= this.head; n--) {
      const node = nodes[n];
      for (let i = node.size - 1; i >= 0; i--) if (!skipTombstones || !node.isDeleted(i)) return node.idAt(i, out);
    }
    return out.setZero();
  }

  /** streamLastValidID: the last live entry's ID (0-0 when empty). */
  lastValidId(out: StreamId): StreamId {
    return this.edgeId(false, true, out);
  }

  /** After deletions: recompute firstId (Redis keeps it as the first live entry). */
  refreshFirstId(): void {
    if (this.length === 0) this.firstId.setZero();
    else this.edgeId(true, true, this.firstId);
  }

  /** streamTrim: delete entries from the head per spec; returns how many were deleted. */
  trim(spec: TrimSpec): number {
    const byLen = spec.strategy === TRIM_MAXLEN;
    let deleted = 0;
    while (this.head < this.nodes.length) {
      if (byLen && this.length <= spec.maxlen) break;
      const node = this.nodes[this.head];
      const entries = node.live;
      if (spec.limit !== 0 && deleted + entries > spec.limit) break;
      const removeNode = byLen ? this.length - entries >= spec.maxlen : node.compareAt(node.size - 1, spec.minid) < 0;
      if (removeNode) {
        this.dropHead();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      // Mark the entries to remove inside this node as deleted; the node stays.
      for (let i = 0; i < node.size; i++) {
        if (byLen ? this.length <= spec.maxlen : node.compareAt(i, spec.minid) >= 0) break;
        if (!node.isDeleted(i)) {
          node.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId.setZero();
    else if (deleted !== 0) this.edgeId(true, true, this.firstId);
    return deleted;
  }

  /**
   * streamRangeHasTombstones: whether the range [start, end] (end = the maximum when null)
   * may hold a deleted entry, judged by the maximal deleted ID.
   */
  rangeHasTombstones(start: StreamId, end: StreamId | null): boolean {
    if (this.length === 0 || this.maxDeletedId.isZero()) return false;
    if (this.firstId.compare(this.maxDeletedId) > 0) return false;
    return start.compare(this.maxDeletedId) <= 0 && (end === null || this.maxDeletedId.compare(end) <= 0);
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the logical read counter of id, or
   * INVALID_ENTRIES_READ when it cannot be known.
   */
  estimateDistance(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id.compare(this.lastId) < 1) return this.entriesAdded;
    const cmpLast = id.compare(this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return INVALID_ENTRIES_READ;
    const cmpFirst = id.compare(this.firstId);
    if (this.maxDeletedId.isZero() || this.maxDeletedId.compare(this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return INVALID_ENTRIES_READ;
  }

  /** streamReplyWithCGLag's value: entries not yet delivered to the group, or null. */
  lag(group: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(group.lastId, null)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.estimateDistance(group.lastId);
    return read === INVALID_ENTRIES_READ ? null : this.entriesAdded - read;
  }

  /**
   * The node count of Redis's radix tree over the node keys (16-byte big-endian master
   * IDs): root, branching points, their children and the keys of a compressed trie.
   */
  radixTreeNodes(): number {
    if (this.treeNodes >= 0) return this.treeNodes;
    if (this.nodeCount === 0) return (this.treeNodes = 1);
    const prefixes = new Set<string>();
    prefixes.add("");
    let prev = keyString(this.nodes[this.head].master);
    prefixes.add(prev);
    for (let k = this.head + 1; k < this.nodes.length; k++) {
      const key = keyString(this.nodes[k].master);
      let lcp = 0;
      while (prev.charCodeAt(lcp) === key.charCodeAt(lcp)) lcp++;
      prefixes.add(key.slice(0, lcp));
      prefixes.add(prev.slice(0, lcp + 1));
      prefixes.add(key.slice(0, lcp + 1));
      prefixes.add(key);
      prev = key;
    }
    return (this.treeNodes = prefixes.size);
  }

  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** streamCreateCG: null when the name is taken. */
  createGroup(name: Uint8Array, key: string, lastId: StreamId, entriesRead: number): ConsumerGroup | null {
    const groups = (this.groups ??= new Map());
    if (groups.has(key)) return null;
    const g = new ConsumerGroup(name, lastId.clone(), entriesRead);
    groups.set(key, g);
    return g;
  }

  /** streamDup (COPY): an independent deep copy, groups and PELs included. */
  clone(): Stream {
    const copy = new Stream();
    for (let n = this.head; n < this.nodes.length; n++) copy.nodes.push(this.nodes[n].clone());
    copy.length = this.length;
    copy.lastId.set(this.lastId);
    copy.firstId.set(this.firstId);
    copy.maxDeletedId.set(this.maxDeletedId);
    copy.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      copy.groups = new Map();
      for (const [key, g] of this.groups) copy.groups.set(key, g.clone());
    }
    return copy;
  }

  /** Groups in Redis's rax order (bytewise by name). */
  sortedGroups(): ConsumerGroup[] {
    if (this.groups === null) return [];
    return [...this.groups.keys()].sort(byCodeUnits).map((k) => this.groups!.get(k)!);
  }
}

/** STREAM_LISTPACK_MAX_SIZE: listpacks never grow past 1 GiB. */
const LISTPACK_MAX = 1 << 30;

/** A rax key as a string of 16 byte-valued chars (big-endian ms then seq). */
function keyString(id: StreamId): string {
  let s = "";
  for (const w of [id.msHi, id.msLo, id.seqHi, id.seqLo]) {
    s += String.fromCharCode(w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  }
  return s;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- consumer groups ------------------------------------------------------------------------

/** A pending (delivered, not acknowledged) entry: Redis's streamNACK. */
export class Nack {
  constructor(
    readonly id: StreamId,
    public deliveryTime: number,
    public deliveryCount: number,
    /** Null only while XCLAIM ... FORCE creates it. */
    public consumer: Consumer | null,
  ) {}
}

export class Consumer {
  readonly pel = new IdIndex<Nack>();
  constructor(
    readonly name: Uint8Array,
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  /** Every pending entry of the group; each consumer's pel holds the same Nack objects. */
  readonly pel = new IdIndex<Nack>();
  /** Consumers by latin1 name. */
  readonly consumers = new Map<string, Consumer>();
  constructor(
    readonly name: Uint8Array,
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /** Consumers in Redis's rax order (bytewise by name). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.keys()].sort(byCodeUnits).map((k) => this.consumers.get(k)!);
  }

  /** A deep copy: new Nack objects shared between the copied group and consumer PELs. */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.name, this.lastId.clone(), this.entriesRead);
    const copies = new Map<Nack, Nack>();
    this.pel.forEachFrom(null, (nack) => {
      const nn = new Nack(nack.id, nack.deliveryTime, nack.deliveryCount, null);
      copies.set(nack, nn);
      copy.pel.add(nn);
      return true;
    });
    for (const [key, cons] of this.consumers) {
      const nc = new Consumer(cons.name, cons.seenTime);
      cons.pel.forEachFrom(null, (nack) => {
        const nn = copies.get(nack)!;
        nn.consumer = nc;
        nc.pel.add(nn);
        return true;
      });
      copy.consumers.set(key, nc);
    }
    return copy;
  }

  /** streamDelConsumer: drop the consumer and its pending entries from the group. */
  deleteConsumer(key: string, consumer: Consumer): void {
    consumer.pel.forEachFrom(null, (nack) => {
      this.pel.remove(nack.id);
      return true;
    });
    this.consumers.delete(key);
  }
}

// ---- ordered index of IDs (PELs) ------------------------------------------------------------

const CHUNK = 128;

/**
 * Items ordered by ID in chunks of up to 2*CHUNK: O(log n) lookup, cheap appends at the
 * end (deliveries come in ID order) and cheap removals anywhere (acknowledgements).
 */
export class IdIndex<T extends { readonly id: StreamId }> {
  private chunks: T[][] = [];
  size = 0;
  /** Position found by seek(). */
  private ci = 0;
  private ii = 0;

  /** The last chunk whose first item is <= id (0 when none is). */
  private chunkFor(id: StreamId): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (chunks[mid][0].id.compare(id) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Index in chunk of the first item with ID >= id (> id when after). */
  private static position<T extends { readonly id: StreamId }>(chunk: T[], id: StreamId, after: boolean): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = chunk[mid].id.compare(id);
      if (r < 0 || (after && r === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Point ci/ii at the first item with ID >= id (> id when after); false when none. */
  private seek(id: StreamId, after: boolean): boolean {
    if (this.size === 0) return false;
    let c = this.chunkFor(id);
    let i = IdIndex.position(this.chunks[c], id, after);
    if (i === this.chunks[c].length) {
      c++;
      i = 0;
      if (c === this.chunks.length) return false;
    }
    this.ci = c;
    this.ii = i;
    return true;
  }

  get(id: StreamId): T | undefined {
    if (!this.seek(id, false)) return undefined;
    const item = this.chunks[this.ci][this.ii];
    return item.id.compare(id) === 0 ? item : undefined;
  }

  /** Add an item whose ID is not in the index yet. */
  add(item: T): void {
    const chunks = this.chunks;
    this.size++;
    if (chunks.length === 0) {
      chunks.push([item]);
      return;
    }
    const last = chunks[chunks.length - 1];
    if (last[last.length - 1].id.compare(item.id) < 0) {
      if (last.length >= CHUNK * 2) chunks.push([item]);
      else last.push(item);
      return;
    }
    const c = this.chunkFor(item.id);
    const chunk = chunks[c];
    chunk.splice(IdIndex.position(chunk, item.id, false), 0, item);
    if (chunk.length > CHUNK * 2) chunks.splice(c + 1, 0, chunk.splice(CHUNK));
  }

  remove(id: StreamId): T | undefined {
    if (!this.seek(id, false)) return undefined;
    const chunk = this.chunks[this.ci];
    const item = chunk[this.ii];
    if (item.id.compare(id) !== 0) return undefined;
    chunk.splice(this.ii, 1);
    if (chunk.length === 0) this.chunks.splice(this.ci, 1);
    this.size--;
    return item;
  }

  first(): T | undefined {
    return this.size === 0 ? undefined : this.chunks[0][0];
  }

  last(): T | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.chunks.length - 1];
    return chunk[chunk.length - 1];
  }

  /** The first item with ID >= id, or > id when after. */
  ceiling(id: StreamId, after = false): T | undefined {
    return this.seek(id, after) ? this.chunks[this.ci][this.ii] : undefined;
  }

  /**
   * Visit items in ID order from the first >= start (from the beginning when null) until
   * visit returns false. The index must not change during the walk.
   */
  forEachFrom(start: StreamId | null, visit: (item: T) => boolean): void {
    let c = 0;
    let i = 0;
    if (start !== null) {
      if (!this.seek(start, false)) return;
      c = this.ci;
      i = this.ii;
    }
    const chunks = this.chunks;
    for (; c < chunks.length; c++, i = 0) {
      const chunk = chunks[c];
      for (; i < chunk.length; i++) if (!visit(chunk[i])) return;
    }
  }
}
