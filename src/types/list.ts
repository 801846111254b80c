// The list value: a chunked deque in the manner of Redis's quicklist. A doubly linked
// chain of nodes, each packing its elements into one byte buffer (no object per element),
// framed like listpack entries so a node can be walked from either end:
//
//   [length, LEB128] [bytes] [length, LEB128 stored back to front]
//
// A node keeps free room before and after its entries, so pushes and pops at either end of
// the list are O(1) amortized. Inserts and deletes inside a node move at most that node's
// bytes, which list-max-listpack-size bounds exactly as in Redis (same size estimate, same
// split points). Indexed access walks nodes from the nearer end of the list, then entries
// from the nearer end of the node.
//
// Element views handed out (pop results, visitor arguments) point into node buffers: use
// them before the next change to the same list.

/** list-max-listpack-size -1..-5: bytes per node (Redis's optimization_level). */
const SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** Redis's SIZE_SAFETY_LIMIT: nodes limited by element count still stop at 8 KB. */
const SAFETY_LIMIT = 8192;
/** Redis's SIZE_ESTIMATE_OVERHEAD and listpack header + terminator, for Redis's node sizes. */
const ESTIMATE_OVERHEAD = 8;
const LISTPACK_FRAME = 7;
const FILL_MAX = 32767;
/** Free room a node buffer keeps beyond its entries: at least MIN_SLACK, at most MAX_SLACK. */
const MIN_SLACK = 32;
const MAX_SLACK = 4096;
/** Buffers above this size shrink once they are less than a quarter full. */
const SHRINK_ABOVE = 1024;

export class ListNode {
  prev: ListNode | null = null;
  next: ListNode | null = null;

  constructor(
    public buf: Uint8Array,
    /** Entries occupy buf[start, end). */
    public start: number,
    public end: number,
    public count: number,
  ) {}
}

/** Visitor for element ranges; returning false stops the walk. */
export type ElementVisitor = (buf: Uint8Array, off: number, len: number) => boolean | void;

// ---- entry codec --------------------------------------------------------------------------

/** Data offset and length of the entry last decoded by readAt/readBefore. */
let dataOff = 0;
let dataLen = 0;

function varLen(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

function entrySize(n: number): number {
  return n < 0x80 ? n + 2 : n + 2 * varLen(n);
}

/** Decode the entry starting at p; returns the position after it. */
function readAt(buf: Uint8Array, p: number): number {
  let b = buf[p++];
  let n = b & 0x7f;
  if (b & 0x80) {
    let mul = 0x80;
    do {
      b = buf[p++];
      n += (b & 0x7f) * mul;
      mul *= 0x80;
    } while (b & 0x80);
  }
  dataOff = p;
  dataLen = n;
  return p + n + (n < 0x80 ? 1 : varLen(n));
}

/** Decode the entry ending at q; returns the position where it starts. */
function readBefore(buf: Uint8Array, q: number): number {
  let b = buf[--q];
  let n = b & 0x7f;
  if (b & 0x80) {
    let mul = 0x80;
    do {
      b = buf[--q];
      n += (b & 0x7f) * mul;
      mul *= 0x80;
    } while (b & 0x80);
  }
  dataOff = q - n;
  dataLen = n;
  return dataOff - (n < 0x80 ? 1 : varLen(n));
}

/** Encode e at p (entrySize(e.length) bytes); returns the position after it. */
function writeEntry(buf: Uint8Array, p: number, e: Uint8Array): number {
  const n = e.length;
  if (n < 0x80) {
    buf[p++] = n;
    if (n <= 16) for (let i = 0; i < n; i++) buf[p + i] = e[i];
    else buf.set(e, p);
    buf[p + n] = n;
    return p + n + 1;
  }
  let v = n;
  while (v >= 0x80) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[p++] = v;
  buf.set(e, p);
  p += n;
  const k = varLen(n);
  v = n;
  // The byte nearest the end holds the low bits; a set high bit means "more to the left".
  for (let i = k - 1; i >= 0; i--) {
    buf[p + i] = (v % 0x80) | (i > 0 ? 0x80 : 0);
    v = Math.floor(v / 0x80);
  }
  return p + k;
}

export function sameBytes(buf: Uint8Array, off: number, len: number, v: Uint8Array): boolean {
  if (len !== v.length) return false;
  for (let i = 0; i < len; i++) if (buf[off + i] !== v[i]) return false;
  return true;
}

function slackFor(used: number): number {
  return used < MIN_SLACK ? MIN_SLACK : used > MAX_SLACK ? MAX_SLACK : used;
}

function newNode(e: Uint8Array, roomInFront: boolean): ListNode {
  const size = entrySize(e.length);
  const slack = slackFor(size);
  const start = roomInFront ? slack : 0;
  const buf = new Uint8Array(size + slack);
  writeEntry(buf, start, e);
  return new ListNode(buf, start, start + size, 1);
}

/** Remove the entries in [p, q) (k of them) by moving the smaller side; returns where the
 *  entry that followed them now starts. */
function cut(node: ListNode, p: number, q: number, k: number): number {
  const gap = q - p;
  node.count -= k;
  if (p - node.start <= node.end - q) {
    node.buf.copyWithin(node.start + gap, node.start, p);
    node.start += gap;
    return q;
  }
  node.buf.copyWithin(p, q, node.end);
  node.end -= gap;
  return p;
}

/** Give a mostly empty buffer back (a fresh buffer, so views of popped entries stay intact). */
function maybeShrink(node: ListNode): void {
  const cap = node.buf.length;
  const used = node.end - node.start;
  if (cap <= SHRINK_ABOVE || used * 4 >= cap) return;
  const slack = slackFor(used);
  const start = slack >> 1;
  const nb = new Uint8Array(used + slack);
  nb.set(node.buf.subarray(node.start, node.end), start);
  node.buf = nb;
  node.start = start;
  node.end = start + used;
}

/** Drop a full node's free room: pushes go to a new node from now on. */
function fit(node: ListNode): void {
  const used = node.end - node.start;
  if (node.buf.length - used <= MIN_SLACK) return;
  node.buf = node.buf.slice(node.start, node.end);
  node.start = 0;
  node.end = used;
}

/** Insert e at byte position pos of node (an entry boundary). */
function insertInto(node: ListNode, pos: number, e: Uint8Array): void {
  const size = entrySize(e.length);
  const buf = node.buf;
  const before = pos - node.start;
  const after = node.end - pos;
  if (before <= after && node.start >= size) {
    buf.copyWithin(node.start - size, node.start, pos);
    node.start -= size;
    pos -= size;
  } else if (after < before && node.end + size <= buf.length) {
    buf.copyWithin(pos + size, pos, node.end);
    node.end += size;
  } else {
    // The cheap side has no room: lay the node out again in a bigger buffer. The side being
    // written gets the new room; the other keeps what it had, up to half of it.
    const used = before + after + size;
    const slack = slackFor(used);
    let front: number;
    if (before === 0) front = slack - Math.min(buf.length - node.end, slack >> 1);
    else if (after === 0) front = Math.min(node.start, slack >> 1);
    else front = slack >> 1;
    const nb = new Uint8Array(used + slack);
    nb.set(buf.subarray(node.start, pos), front);
    nb.set(buf.subarray(pos, node.end), front + before + size);
    node.buf = nb;
    node.start = front;
    node.end = front + used;
    pos = front + before;
  }
  writeEntry(node.buf, pos, e);
  node.count++;
}

// ---- the list -------------------------------------------------------------------------------

/** Where locate() left off: the node, the byte position of the entry, its index in the node. */
let atNode: ListNode = null as unknown as ListNode;
let atPos = 0;
let atIdx = 0;

export class QuickList {
  head: ListNode | null = null;
  tail: ListNode | null = null;
  length = 0;
  nodeCount = 0;
  /** list-max-listpack-size when the list was created (Redis keeps it per list). */
  readonly fill: number;

  constructor(fill: number) {
    this.fill = fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill;
  }

  /** _quicklistNodeAllowInsert: whether node can take one more element of n bytes. */
  private allows(node: ListNode, n: number): boolean {
    const sz = node.end - node.start + LISTPACK_FRAME + n + ESTIMATE_OVERHEAD;
    if (this.fill < 0) return sz <= SIZE_LIMITS[-this.fill - 1];
    return sz <= SAFETY_LIMIT && node.count < this.fill;
  }

  // ---- node chain ----

  private linkAfter(node: ListNode, ref: ListNode | null): void {
    if (ref === null) {
      node.next = this.head;
      if (this.head !== null) this.head.prev = node;
      else this.tail = node;
      this.head = node;
    } else {
      node.prev = ref;
      node.next = ref.next;
      if (ref.next !== null) ref.next.prev = node;
      else this.tail = node;
      ref.next = node;
    }
    this.nodeCount++;
  }

  private unlink(node: ListNode): void {
    if (node.prev !== null) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.nodeCount--;
  }

  /** Point atNode/atPos/atIdx at element index (0 <= index < length). */
  private locate(index: number): void {
    let node: ListNode;
    if (index < this.length >> 1) {
      node = this.head!;
      while (index >= node.count) {
        index -= node.count;
        node = node.next!;
      }
    } else {
      let back = this.length - 1 - index;
      node = this.tail!;
      while (back >= node.count) {
        back -= node.count;
        node = node.prev!;
      }
      index = node.count - 1 - back;
    }
    const buf = node.buf;
    let p: number;
    if (index < node.count >> 1) {
      p = node.start;
      for (let i = 0; i < index; i++) p = readAt(buf, p);
    } else {
      p = node.end;
      for (let i = node.count; i > index; i--) p = readBefore(buf, p);
    }
    atNode = node;
    atPos = p;
    atIdx = index;
  }

  // ---- ends ----

  pushHead(e: Uint8Array): void {
    const h = this.head;
    if (h !== null && this.allows(h, e.length)) {
      insertInto(h, h.start, e);
    } else {
      if (h !== null) fit(h);
      this.linkAfter(newNode(e, true), null);
    }
    this.length++;
  }

  pushTail(e: Uint8Array): void {
    const t = this.tail;
    if (t !== null && this.allows(t, e.length)) {
      insertInto(t, t.end, e);
    } else {
      if (t !== null) fit(t);
      this.linkAfter(newNode(e, false), t);
    }
    this.length++;
  }

  popHead(): Uint8Array | null {
    const h = this.head;
    if (h === null) return null;
    h.start = readAt(h.buf, h.start);
    const v = h.buf.subarray(dataOff, dataOff + dataLen);
    this.dropped(h, 1);
    return v;
  }

  popTail(): Uint8Array | null {
    const t = this.tail;
    if (t === null) return null;
    t.end = readBefore(t.buf, t.end);
    const v = t.buf.subarray(dataOff, dataOff + dataLen);
    this.dropped(t, 1);
    return v;
  }

  /** Bookkeeping after k entries left node. */
  private dropped(node: ListNode, k: number): void {
    this.length -= k;
    if ((node.count -= k) === 0) this.unlink(node);
    else maybeShrink(node);
  }

  // ---- indexed access ----

  /** The element at index (negative counts from the tail), or null when out of range. */
  at(index: number): Uint8Array | null {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return null;
    this.locate(index);
    readAt(atNode.buf, atPos);
    return atNode.buf.subarray(dataOff, dataOff + dataLen);
  }

  /** Replace the element at index (negative counts from the tail); false when out of range. */
  set(index: number, e: Uint8Array): boolean {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return false;
    this.locate(index);
    const node = atNode;
    const idx = atIdx;
    const pos = cut(node, atPos, readAt(node.buf, atPos), 1);
    if (node.count === 0) {
      // The node held only this element: it takes the new one whatever its size.
      insertInto(node, pos, e);
    } else {
      this.length--;
      this.insertAt(node, pos, idx, e);
    }
    return true;
  }

  /**
   * Visit count elements from index start (0 <= start < length) towards the tail, or towards
   * the head when reverse. Stops early when the visitor returns false.
   */
  range(start: number, count: number, reverse: boolean, visit: ElementVisitor): void {
    if (count <= 0) return;
    this.locate(start);
    let node = atNode;
    if (!reverse) {
      let p = atPos;
      for (;;) {
        p = readAt(node.buf, p);
        if (visit(node.buf, dataOff, dataLen) === false || --count === 0) return;
        if (p === node.end) {
          node = node.next!;
          p = node.start;
        }
      }
    }
    let q = readAt(node.buf, atPos);
    for (;;) {
      q = readBefore(node.buf, q);
      if (visit(node.buf, dataOff, dataLen) === false || --count === 0) return;
      if (q === node.start) {
        node = node.prev!;
        q = node.end;
      }
    }
  }

  /** Every element, head to tail. */
  forEach(visit: (value: Uint8Array) => void): void {
    for (let node = this.head; node !== null; node = node.next) {
      const buf = node.buf;
      for (let p = node.start; p < node.end; ) {
        p = readAt(buf, p);
        visit(buf.subarray(dataOff, dataOff + dataLen));
      }
    }
  }

  // ---- inserts and deletes ----

  /** LINSERT: put e before or after the first element equal to pivot; false if none is. */
  insertAround(pivot: Uint8Array, e: Uint8Array, after: boolean): boolean {
    for (let node = this.head; node !== null; node = node.next) {
      const buf = node.buf;
      let idx = 0;
      for (let p = node.start; p < node.end; idx++) {
        const next = readAt(buf, p);
        if (sameBytes(buf, dataOff, dataLen, pivot)) {
          if (after) this.insertAt(node, next, idx + 1, e);
          else this.insertAt(node, p, idx, e);
          return true;
        }
        p = next;
      }
    }
    return false;
  }

  /**
   * Insert e at byte position pos of node, before its entry number idx (idx = count: after
   * the last). A full node hands the element to a neighbour with room, or splits at pos.
   */
  private insertAt(node: ListNode, pos: number, idx: number, e: Uint8Array): void {
    this.length++;
    const n = e.length;
    if (this.allows(node, n)) return insertInto(node, pos, e);
    if (idx === node.count) {
      const next = node.next;
      if (next !== null && this.allows(next, n)) insertInto(next, next.start, e);
      else this.linkAfter(newNode(e, false), node);
      return;
    }
    if (idx === 0) {
      const prev = node.prev;
      if (prev !== null && this.allows(prev, n)) insertInto(prev, prev.end, e);
      else this.linkAfter(newNode(e, true), prev);
      return;
    }
    const right = new ListNode(node.buf.slice(pos, node.end), 0, node.end - pos, node.count - idx);
    node.end = pos;
    node.count = idx;
    this.linkAfter(right, node);
    if (this.allows(node, n)) insertInto(node, node.end, e);
    else if (this.allows(right, n)) insertInto(right, 0, e);
    else this.linkAfter(newNode(e, false), node);
    maybeShrink(node);
  }

  /** Delete count elements from index start (0 <= start, start + count <= length). */
  deleteRange(start: number, count: number): void {
    if (count <= 0) return;
    this.locate(start);
    let node: ListNode | null = atNode;
    let p = atPos;
    let idx = atIdx;
    this.length -= count;
    while (count > 0 && node !== null) {
      const next: ListNode | null = node.next;
      if (idx === 0 && count >= node.count) {
        count -= node.count;
        this.unlink(node);
      } else {
        const k = Math.min(count, node.count - idx);
        let q = p;
        for (let i = 0; i < k; i++) q = readAt(node.buf, q);
        cut(node, p, q, k);
        maybeShrink(node);
        count -= k;
      }
      node = next;
      idx = 0;
      if (node !== null) p = node.start;
    }
  }

  /**
   * LREM: delete elements equal to v, at most limit of them (0 = all), the first ones from
   * the head or, with fromTail, the last ones. Returns how many were deleted.
   */
  removeEqual(v: Uint8Array, limit: number, fromTail: boolean): number {
    let removed = 0;
    let node = fromTail ? this.tail : this.head;
    while (node !== null && (limit === 0 || removed < limit)) {
      const next: ListNode | null = fromTail ? node.prev : node.next;
      const quota = limit === 0 ? Infinity : limit - removed;
      // From the tail, the node's last `quota` matches go: keep the ones before them.
      const keep = fromTail && limit !== 0 ? Math.max(0, this.countEqual(node, v) - quota) : 0;
      const k = this.compact(node, v, keep, quota);
      if (k > 0) {
        removed += k;
        if (node.count === 0) this.unlink(node);
        else maybeShrink(node);
      }
      node = next;
    }
    this.length -= removed;
    return removed;
  }

  private countEqual(node: ListNode, v: Uint8Array): number {
    const buf = node.buf;
    let n = 0;
    for (let p = node.start; p < node.end; ) {
      p = readAt(buf, p);
      if (sameBytes(buf, dataOff, dataLen, v)) n++;
    }
    return n;
  }

  /** Drop up to quota entries equal to v from node, after keeping the first `keep` matches. */
  private compact(node: ListNode, v: Uint8Array, keep: number, quota: number): number {
    const buf = node.buf;
    const end = node.end;
    let w = node.start;
    let removed = 0;
    for (let r = node.start; r < end; ) {
      const next = readAt(buf, r);
      if (removed < quota && sameBytes(buf, dataOff, dataLen, v) && keep-- <= 0) {
        removed++;
      } else {
        if (w !== r) buf.copyWithin(w, r, next);
        w += next - r;
      }
      r = next;
    }
    node.end = w;
    node.count -= removed;
    return removed;
  }

  // ---- whole-list helpers ----

  clone(): QuickList {
    const copy = new QuickList(this.fill);
    for (let node = this.head; node !== null; node = node.next) {
      const used = node.end - node.start;
      copy.linkAfter(new ListNode(node.buf.slice(node.start, node.end), 0, used, node.count), copy.tail);
    }
    copy.length = this.length;
    return copy;
  }

  /** Bytes held by node buffers (MEMORY USAGE style accounting). */
  get memoryBytes(): number {
    let n = 0;
    for (let node = this.head; node !== null; node = node.next) n += node.buf.length + 48;
    return n + 48;
  }
}
