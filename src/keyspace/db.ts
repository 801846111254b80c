// Compact keyspace for one database of one shard.
//
// A JS Map of Buffers costs ~200 B per small key; Redis needs ~99. So keys and string
// values live packed in 1 MiB ArrayBuffer slabs, and an open-addressing Int32Array index
// maps hash → record address. Non-string values (and strings too big for a slab) live in
// a JS array of objects; their record carries the object's id.
//
// Record layout (8-byte aligned, little endian):
//   0 u32 hash   4 u8 flags   5 u8 type   8 u32 lru/lfu   12 u32 klen   16 u32 vlen
//   20 u32 vcap (value bytes reserved; or object id when F_OBJ)   24 f64 expire-at ms
//   32 key bytes, then value bytes
//
// An address is slab * UNITS + offset / 8, always > 0. Views returned by str()/keyOf()
// point into slab memory: read them before the next write to this database.

export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_STREAM = 5;

export const TYPE_NAMES = ["string", "list", "set", "zset", "hash", "stream"];

const F_EXPIRE = 1;
const F_OBJ = 2;
const F_RAW = 4;
const F_DEAD = 8;

const SLAB_SHIFT = 20;
const SLAB_SIZE = 1 << SLAB_SHIFT;
const UNIT_SHIFT = 3;
const UNITS = SLAB_SIZE >> UNIT_SHIFT;
const HDR = 32;
/** Records bigger than this keep their value as a separate object, not in a slab. */
const MAX_INLINE = SLAB_SIZE >> 4;

const EMPTY_SLOT = 0;
const TOMBSTONE = -1;

interface Slab {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
  dead: number;
  queued: boolean;
}

/** A big string kept outside the slabs, with room to grow for APPEND/SETRANGE. */
export interface BigString {
  data: Uint8Array;
  len: number;
}

function newSlab(size = SLAB_SIZE): Slab {
  const buf = new ArrayBuffer(size);
  return { u8: new Uint8Array(buf), u32: new Uint32Array(buf), f64: new Float64Array(buf), dead: 0, queued: false };
}

export function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5 | 0;
  const n = b.length;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

let clockSeconds = (Date.now() / 1000) >>> 0;

/**
 * Seconds clock for LRU idle time, shared by every database. Like Redis's LRU_CLOCK it
 * has one-second resolution, so the shard cron refreshes it instead of every lookup
 * reading the time.
 */
export function lruClock(): number {
  return clockSeconds;
}

export function tickLruClock(): void {
  clockSeconds = (Date.now() / 1000) >>> 0;
}

/**
 * What the per-key access field holds (maxmemory-policy *-lfu → LFU, else LRU) and the LFU
 * tuning (lfu-log-factor, lfu-decay-time). One worker serves one config, so it is global.
 */
export const accessPolicy = { lfu: false, logFactor: 10, decayTime: 1 };

const LFU_INIT_VAL = 5;

/** Redis's LFU field: minutes of the last decrement (16 bits) << 8 | log counter (8 bits). */
function lfuMinutes(): number {
  return ((Date.now() / 60000) >>> 0) & 65535;
}

/** LFUDecrAndReturn: the counter after one decrement per lfu-decay-time minutes idle. */
export function lfuDecay(field: number): number {
  const ldt = field >>> 8;
  const counter = field & 255;
  const now = lfuMinutes();
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = accessPolicy.decayTime > 0 ? Math.floor(elapsed / accessPolicy.decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** updateLFU: decay, then a logarithmic increment (likelier while the counter is low). */
function lfuTouch(field: number): number {
  let counter = lfuDecay(field);
  if (counter < 255) {
    const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    if (Math.random() < 1 / (base * accessPolicy.logFactor + 1)) counter++;
  }
  return (lfuMinutes() << 8) | counter;
}

/** The access field of a new key. */
function freshAccess(): number {
  return accessPolicy.lfu ? (lfuMinutes() << 8) | LFU_INIT_VAL : lruClock();
}

/** Called when lookups find a key past its expiry (delete propagation, notifications). */
export type ExpireHook = (db: Db, key: Uint8Array) => void;

export class Db {
  /** Live keys. */
  size = 0;
  /** Keys with an expire. */
  volatileCount = 0;
  onExpired: ExpireHook | null = null;
  /** A collection was stored under key (created, or moved in by RENAME/MOVE/COPY/RESTORE). */
  onObjectStored: ((db: Db, key: Uint8Array, type: number) => void) | null = null;
  /** Replicas hide expired keys but leave deleting them to the master's DEL. */
  deleteExpired = true;
  /** Summed expire-at of volatile keys sampled by active expiry (INFO avg_ttl). */
  avgTtl = 0;

  private slabs: Slab[] = [];
  private freeSlabs: number[] = [];
  private compactQueue: number[] = [];
  private tail = 0;
  private tailOff = 0;

  private index: Int32Array;
  private mask: number;
  private used = 0; // live + tombstones

  private vindex: Int32Array;
  private vmask: number;
  private vused = 0;

  private objects: unknown[] = [];
  private freeObjects: number[] = [];

  constructor(public readonly id: number) {
    this.index = new Int32Array(16);
    this.mask = 15;
    this.vindex = new Int32Array(16);
    this.vmask = 15;
    this.slabs.push(newSlab());
    this.tail = 0;
    this.tailOff = 8; // address 0 means "empty"
  }

  // ---- addressing ---------------------------------------------------------------

  private slabOf(addr: number): Slab {
    return this.slabs[addr >>> (SLAB_SHIFT - UNIT_SHIFT)];
  }

  private offOf(addr: number): number {
    return (addr & (UNITS - 1)) << UNIT_SHIFT;
  }

  // ---- lookups ------------------------------------------------------------------

  /** Address of a live key or 0. Expired keys are removed (lazy expiry). Updates LRU. */
  lookup(key: Uint8Array): number {
    const addr = this.find(key, hashBytes(key));
    if (addr === 0) return 0;
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    if (s.u8[o + 4] & F_EXPIRE && s.f64[(o + 24) >> 3] < Date.now()) {
      this.expireNow(addr);
      return 0;
    }
    s.u32[(o + 8) >> 2] = accessPolicy.lfu ? lfuTouch(s.u32[(o + 8) >> 2]) : lruClock();
    return addr;
  }

  /** Like lookup() but leaves the LRU clock alone (TYPE, OBJECT, SCAN filters). */
  peek(key: Uint8Array): number {
    const addr = this.find(key, hashBytes(key));
    if (addr === 0) return 0;
    if (this.isExpired(addr)) {
      this.expireNow(addr);
      return 0;
    }
    return addr;
  }

  /** Whether the key is past its expiry (Redis: now > when), deleted or not. */
  isExpired(addr: number, now = Date.now()): boolean {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    return (s.u8[o + 4] & F_EXPIRE) !== 0 && s.f64[(o + 24) >> 3] < now;
  }

  private expireNow(addr: number): void {
    if (!this.deleteExpired) return;
    const key = this.keyOf(addr).slice();
    this.removeAddr(addr);
    if (this.onExpired) this.onExpired(this, key);
  }

  /** Delete the key at addr if it is past its expiry; returns whether it did. */
  expireIfNeeded(addr: number, now = Date.now()): boolean {
    if (!this.isExpired(addr, now)) return false;
    this.expireNow(addr);
    return true;
  }

  private find(key: Uint8Array, h: number): number {
    const index = this.index;
    const mask = this.mask;
    const klen = key.length;
    let i = h & mask;
    for (;;) {
      const a = index[i];
      if (a === EMPTY_SLOT) return 0;
      if (a !== TOMBSTONE) {
        const s = this.slabs[a >>> (SLAB_SHIFT - UNIT_SHIFT)];
        const o = (a & (UNITS - 1)) << UNIT_SHIFT;
        if (s.u32[o >> 2] === h && s.u32[(o + 12) >> 2] === klen) {
          const u8 = s.u8;
          const base = o + HDR;
          let j = 0;
          while (j < klen && u8[base + j] === key[j]) j++;
          if (j === klen) return a;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Index slot holding addr (for relocation and removal). */
  private slotOf(addr: number): number {
    const s = this.slabOf(addr);
    const h = s.u32[this.offOf(addr) >> 2];
    let i = h & this.mask;
    while (this.index[i] !== addr) i = (i + 1) & this.mask;
    return i;
  }

  type(addr: number): number {
    return this.slabOf(addr).u8[this.offOf(addr) + 5];
  }

  keyOf(addr: number): Uint8Array {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    const klen = s.u32[(o + 12) >> 2];
    return s.u8.subarray(o + HDR, o + HDR + klen);
  }

  /** String value bytes (a view; copy to keep). */
  str(addr: number): Uint8Array {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    if (s.u8[o + 4] & F_OBJ) {
      const big = this.objects[s.u32[(o + 20) >> 2]] as BigString;
      return big.data.subarray(0, big.len);
    }
    const klen = s.u32[(o + 12) >> 2];
    const vlen = s.u32[(o + 16) >> 2];
    const start = o + HDR + klen;
    return s.u8.subarray(start, start + vlen);
  }

  strLen(addr: number): number {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    if (s.u8[o + 4] & F_OBJ) return (this.objects[s.u32[(o + 20) >> 2]] as BigString).len;
    return s.u32[(o + 16) >> 2];
  }

  /** The value object of a non-string key. */
  obj<T>(addr: number): T {
    const s = this.slabOf(addr);
    return this.objects[s.u32[(this.offOf(addr) + 20) >> 2]] as T;
  }

  /** Whether a string was made "raw" by an in-place edit (APPEND, SETRANGE, SETBIT). */
  isRaw(addr: number): boolean {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    return (s.u8[o + 4] & (F_RAW | F_OBJ)) !== 0;
  }

  /** Expire-at in ms, or -1. */
  expireAt(addr: number): number {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    return s.u8[o + 4] & F_EXPIRE ? s.f64[(o + 24) >> 3] : -1;
  }

  lru(addr: number): number {
    return this.slabOf(addr).u32[(this.offOf(addr) + 8) >> 2];
  }

  setLru(addr: number, v: number): void {
    this.slabOf(addr).u32[(this.offOf(addr) + 8) >> 2] = v >>> 0;
  }

  /** The LFU access counter (OBJECT FREQ); meaningful while accessPolicy.lfu is on. */
  lfu(addr: number): number {
    return lfuDecay(this.lru(addr));
  }

  /** Set the LFU counter (RESTORE ... FREQ). */
  setLfu(addr: number, freq: number): void {
    this.setLru(addr, (lfuMinutes() << 8) | (freq & 255));
  }

  // ---- writes -------------------------------------------------------------------

  /**
   * Set a string value. Clears any expire unless keepTtl. Overwrites in place when the
   * record has room. Returns the new address.
   */
  setStr(key: Uint8Array, val: Uint8Array, keepTtl = false, raw = false): number {
    const h = hashBytes(key);
    const addr = this.find(key, h);
    if (addr !== 0) {
      const s = this.slabOf(addr);
      const o = this.offOf(addr);
      const flags = s.u8[o + 4];
      if ((flags & F_OBJ) === 0 && s.u32[(o + 20) >> 2] >= val.length) {
        const klen = s.u32[(o + 12) >> 2];
        s.u8.set(val, o + HDR + klen);
        s.u32[(o + 16) >> 2] = val.length;
        s.u8[o + 5] = T_STRING;
        s.u8[o + 4] = (flags & F_EXPIRE) | (raw ? F_RAW : 0);
        if (!accessPolicy.lfu) s.u32[(o + 8) >> 2] = lruClock();
        if (!keepTtl && flags & F_EXPIRE) this.clearExpire(addr);
        return addr;
      }
      const exp = keepTtl ? this.expireAt(addr) : -1;
      this.removeAddr(addr);
      const na = this.insertStr(key, h, val, val.length, raw);
      if (exp >= 0) this.setExpire(na, exp);
      return na;
    }
    return this.insertStr(key, h, val, val.length, raw);
  }

  /**
   * Replace a string value with room for growth (APPEND, SETRANGE, SETBIT): the value
   * becomes raw-encoded and keeps its expire.
   */
  setStrGrowable(key: Uint8Array, val: Uint8Array): number {
    const h = hashBytes(key);
    const addr = this.find(key, h);
    let exp = -1;
    if (addr !== 0) {
      const s = this.slabOf(addr);
      const o = this.offOf(addr);
      const flags = s.u8[o + 4];
      if (flags & F_OBJ && s.u8[o + 5] === T_STRING) {
        const big = this.objects[s.u32[(o + 20) >> 2]] as BigString;
        if (big.data.length < val.length) big.data = grow(big.data, val.length);
        big.data.set(val);
        big.len = val.length;
        return addr;
      }
      if ((flags & F_OBJ) === 0 && s.u32[(o + 20) >> 2] >= val.length) {
        const klen = s.u32[(o + 12) >> 2];
        s.u8.set(val, o + HDR + klen);
        s.u32[(o + 16) >> 2] = val.length;
        s.u8[o + 4] = flags | F_RAW;
        return addr;
      }
      exp = this.expireAt(addr);
      this.removeAddr(addr);
    }
    const cap = val.length < 64 ? 64 : val.length * 2;
    const na = this.insertStr(key, h, val, cap, true);
    if (exp >= 0) this.setExpire(na, exp);
    return na;
  }

  /** Add or replace a non-string value. Clears any expire unless keepTtl. */
  setObj(key: Uint8Array, type: number, value: unknown, keepTtl = false): number {
    const h = hashBytes(key);
    const addr = this.find(key, h);
    let exp = -1;
    if (addr !== 0) {
      if (keepTtl) exp = this.expireAt(addr);
      this.removeAddr(addr);
    }
    const na = this.insertRecord(key, h, type, F_OBJ, 0, 0);
    const s = this.slabOf(na);
    s.u32[(this.offOf(na) + 20) >> 2] = this.allocObject(value);
    if (exp >= 0) this.setExpire(na, exp);
    if (this.onObjectStored) this.onObjectStored(this, key, type);
    return na;
  }

  /** Replace the value object of an existing non-string key (type conversions). */
  replaceObj(addr: number, value: unknown): void {
    const s = this.slabOf(addr);
    this.objects[s.u32[(this.offOf(addr) + 20) >> 2]] = value;
  }

  private insertStr(key: Uint8Array, h: number, val: Uint8Array, cap: number, raw: boolean): number {
    if (HDR + key.length + cap > MAX_INLINE) {
      const big: BigString = { data: new Uint8Array(cap), len: val.length };
      big.data.set(val);
      const a = this.insertRecord(key, h, T_STRING, F_OBJ, 0, 0);
      this.slabOf(a).u32[(this.offOf(a) + 20) >> 2] = this.allocObject(big);
      return a;
    }
    const a = this.insertRecord(key, h, T_STRING, raw ? F_RAW : 0, val.length, cap);
    const s = this.slabOf(a);
    s.u8.set(val, this.offOf(a) + HDR + key.length);
    return a;
  }

  private insertRecord(key: Uint8Array, h: number, type: number, flags: number, vlen: number, vcap: number): number {
    if ((this.used + 1) * 4 > this.index.length * 3) this.resize(this.size + 1);
    const total = (HDR + key.length + vcap + 7) & ~7;
    const addr = this.alloc(total);
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    s.u32[o >> 2] = h;
    s.u8[o + 4] = flags;
    s.u8[o + 5] = type;
    s.u32[(o + 8) >> 2] = freshAccess();
    s.u32[(o + 12) >> 2] = key.length;
    s.u32[(o + 16) >> 2] = vlen;
    s.u32[(o + 20) >> 2] = vcap;
    s.f64[(o + 24) >> 3] = 0;
    s.u8.set(key, o + HDR);
    let i = h & this.mask;
    while (this.index[i] > 0) i = (i + 1) & this.mask;
    if (this.index[i] === EMPTY_SLOT) this.used++;
    this.index[i] = addr;
    this.size++;
    return addr;
  }

  private alloc(total: number): number {
    if (total > SLAB_SIZE >> 1) {
      // A huge key gets a slab of its own; only offset 0 of it is ever addressed. Reusing
      // a free slab number keeps the slab table from growing with every huge key.
      const slab = newSlab((total + 7) & ~7);
      const free = this.freeSlabs.pop();
      if (free !== undefined) {
        this.slabs[free] = slab;
        return free * UNITS;
      }
      this.slabs.push(slab);
      return (this.slabs.length - 1) * UNITS;
    }
    if (this.tailOff + total > SLAB_SIZE) {
      const free = this.freeSlabs.pop();
      if (free !== undefined) {
        this.tail = free;
      } else {
        this.slabs.push(newSlab());
        this.tail = this.slabs.length - 1;
      }
      this.tailOff = this.tail === 0 ? 8 : 0;
    }
    const addr = this.tail * UNITS + (this.tailOff >> UNIT_SHIFT);
    this.tailOff += total;
    return addr;
  }

  private recordSize(s: Slab, o: number): number {
    const flags = s.u8[o + 4];
    const vcap = flags & F_OBJ ? 0 : s.u32[(o + 20) >> 2];
    return (HDR + s.u32[(o + 12) >> 2] + vcap + 7) & ~7;
  }

  private allocObject(v: unknown): number {
    const id = this.freeObjects.pop();
    if (id !== undefined) {
      this.objects[id] = v;
      return id;
    }
    this.objects.push(v);
    return this.objects.length - 1;
  }

  del(key: Uint8Array): boolean {
    const addr = this.find(key, hashBytes(key));
    if (addr === 0) return false;
    if (this.isExpired(addr)) {
      this.expireNow(addr);
      return false;
    }
    this.removeAddr(addr);
    return true;
  }

  /** Remove the record at addr (no expiry check, no hooks). */
  removeAddr(addr: number): void {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    const flags = s.u8[o + 4];
    if (flags & F_EXPIRE) this.vremove(addr);
    if (flags & F_OBJ) {
      const id = s.u32[(o + 20) >> 2];
      this.objects[id] = undefined;
      this.freeObjects.push(id);
    }
    this.index[this.slotOf(addr)] = TOMBSTONE;
    s.dead += this.recordSize(s, o);
    s.u8[o + 4] = (flags & F_OBJ) | F_DEAD;
    this.size--;
    const slabNo = addr >>> (SLAB_SHIFT - UNIT_SHIFT);
    if (this.size === 0 && this.slabs.length === 1) {
      // Common in tests and queues: the only slab empties; rewind it instead of growing.
      s.u8.fill(0, 8, this.tailOff);
      s.dead = 0;
      this.tailOff = 8;
    } else if (slabNo !== this.tail && s.dead * 2 > s.u8.length && !s.queued) {
      // Compaction moves records, so it never runs while a command holds addresses.
      s.queued = true;
      this.compactQueue.push(slabNo);
    }
  }

  /** Deferred housekeeping between commands: compact slabs that are mostly dead. */
  maintenance(): void {
    let n = 0;
    while (this.compactQueue.length > 0 && n++ < 4) this.compactSlab(this.compactQueue.pop()!);
  }

  setExpire(addr: number, when: number): void {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    if ((s.u8[o + 4] & F_EXPIRE) === 0) {
      s.u8[o + 4] |= F_EXPIRE;
      this.vinsert(addr, s.u32[o >> 2]);
    }
    s.f64[(o + 24) >> 3] = when;
  }

  /** Remove an expire; returns whether there was one. */
  clearExpire(addr: number): boolean {
    const s = this.slabOf(addr);
    const o = this.offOf(addr);
    if ((s.u8[o + 4] & F_EXPIRE) === 0) return false;
    s.u8[o + 4] &= ~F_EXPIRE;
    this.vremove(addr);
    return true;
  }

  flush(): void {
    this.reset();
  }

  private reset(): void {
    this.slabs = [newSlab()];
    this.freeSlabs = [];
    this.compactQueue = [];
    this.tail = 0;
    this.tailOff = 8;
    this.index = new Int32Array(16);
    this.mask = 15;
    this.used = 0;
    this.vindex = new Int32Array(16);
    this.vmask = 15;
    this.vused = 0;
    this.volatileCount = 0;
    this.objects = [];
    this.freeObjects = [];
    this.size = 0;
    this.avgTtl = 0;
  }

  /** Exchange contents with another database (SWAPDB). */
  swapWith(other: Db): void {
    const fields = ["size", "volatileCount", "avgTtl", "slabs", "freeSlabs", "compactQueue", "tail", "tailOff", "index", "mask", "used", "vindex", "vmask", "vused", "objects", "freeObjects"] as const;
    for (const f of fields) {
      const t = (this as any)[f];
      (this as any)[f] = (other as any)[f];
      (other as any)[f] = t;
    }
  }

  // ---- index maintenance -------------------------------------------------------

  private resize(minLive: number): void {
    let cap = 16;
    while (cap < minLive * 2) cap *= 2;
    const old = this.index;
    this.index = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    for (let j = 0; j < old.length; j++) {
      const a = old[j];
      if (a <= 0) continue;
      const h = this.slabOf(a).u32[this.offOf(a) >> 2];
      let i = h & this.mask;
      while (this.index[i] !== EMPTY_SLOT) i = (i + 1) & this.mask;
      this.index[i] = a;
      this.used++;
    }
  }

  private vinsert(addr: number, h: number): void {
    if ((this.vused + 1) * 4 > this.vindex.length * 3) this.vresize(this.volatileCount + 1);
    let i = h & this.vmask;
    while (this.vindex[i] > 0) i = (i + 1) & this.vmask;
    if (this.vindex[i] === EMPTY_SLOT) this.vused++;
    this.vindex[i] = addr;
    this.volatileCount++;
  }

  private vslotOf(addr: number): number {
    const h = this.slabOf(addr).u32[this.offOf(addr) >> 2];
    let i = h & this.vmask;
    while (this.vindex[i] !== addr) i = (i + 1) & this.vmask;
    return i;
  }

  private vremove(addr: number): void {
    this.vindex[this.vslotOf(addr)] = TOMBSTONE;
    this.volatileCount--;
  }

  private vresize(minLive: number): void {
    let cap = 16;
    while (cap < minLive * 2) cap *= 2;
    const old = this.vindex;
    this.vindex = new Int32Array(cap);
    this.vmask = cap - 1;
    this.vused = 0;
    for (let j = 0; j < old.length; j++) {
      const a = old[j];
      if (a <= 0) continue;
      const h = this.slabOf(a).u32[this.offOf(a) >> 2];
      let i = h & this.vmask;
      while (this.vindex[i] !== EMPTY_SLOT) i = (i + 1) & this.vmask;
      this.vindex[i] = a;
      this.vused++;
    }
  }

  /** Move every live record out of a mostly-dead slab so the slab can be reused. */
  private compactSlab(slabNo: number): void {
    const s = this.slabs[slabNo];
    s.queued = false;
    if (s.u8.length !== SLAB_SIZE) {
      // A dedicated huge-key slab holds one record, now dead: the walk below assumes
      // SLAB_SIZE bytes, so replace it with an ordinary free slab instead.
      this.slabs[slabNo] = newSlab();
      this.freeSlabs.push(slabNo);
      return;
    }
    let o = slabNo === 0 ? 8 : 0;
    const end = SLAB_SIZE;
    // Records are packed from the start; an all-zero header (klen 0, hash 0, flags 0) past
    // the last record ends the walk.
    while (o + HDR <= end) {
      const flags = s.u8[o + 4];
      const size = this.recordSize(s, o);
      if (size === HDR && s.u32[o >> 2] === 0 && flags === 0) break;
      if ((flags & F_DEAD) === 0) {
        const from = slabNo * UNITS + (o >> UNIT_SHIFT);
        const to = this.alloc(size);
        const ts = this.slabOf(to);
        const to8 = this.offOf(to);
        ts.u8.set(s.u8.subarray(o, o + size), to8);
        this.index[this.slotOf(from)] = to;
        if (flags & F_EXPIRE) this.vindex[this.vslotOf(from)] = to;
      }
      o += size;
    }
    s.u8.fill(0);
    s.dead = 0;
    this.freeSlabs.push(slabNo);
  }

  // ---- iteration ----------------------------------------------------------------

  /**
   * Visit the keys whose home bucket is `cursor`'s bucket, then return the next cursor
   * (0 when done). Cursors walk buckets in reverse-binary order like Redis's dictScan, so
   * keys present for the whole scan are seen at least once even if the index grows.
   */
  scanStep(cursor: number, visit: (addr: number) => void): number {
    const mask = this.mask;
    const index = this.index;
    const bucket = cursor & mask;
    let i = bucket;
    for (;;) {
      const a = index[i];
      if (a === EMPTY_SLOT) break;
      if (a > 0 && (this.slabOf(a).u32[this.offOf(a) >> 2] & mask) === bucket) visit(a);
      i = (i + 1) & mask;
      if (i === bucket) break;
    }
    // dictScan's cursor step: increment the reversed, mask-extended cursor.
    return reverse32((reverse32((cursor | ~mask) >>> 0) + 1) >>> 0);
  }

  /** Every live address (expired ones included; callers filter). */
  forEach(visit: (addr: number) => void): void {
    const index = this.index;
    for (let j = 0; j < index.length; j++) {
      const a = index[j];
      if (a > 0) visit(a);
    }
  }

  /** A random live address, or 0 when empty. */
  randomAddr(): number {
    if (this.size === 0) return 0;
    const cap = this.index.length;
    let i = (Math.random() * cap) | 0;
    for (;;) {
      const a = this.index[i];
      if (a > 0) return a;
      i = (i + 1) & this.mask;
    }
  }

  /** A random address among keys with an expire, or 0. */
  randomVolatile(): number {
    if (this.volatileCount === 0) return 0;
    let i = (Math.random() * this.vindex.length) | 0;
    for (;;) {
      const a = this.vindex[i];
      if (a > 0) return a;
      i = (i + 1) & this.vmask;
    }
  }

  /** Index capacity (INFO, DEBUG HTSTATS). */
  get buckets(): number {
    return this.index.length;
  }

  /** Bytes held by this database's structures (used_memory). */
  get memoryBytes(): number {
    return this.slabs.length * SLAB_SIZE + this.index.byteLength + this.vindex.byteLength + this.objects.length * 8;
  }
}

function reverse32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

function grow(b: Uint8Array, need: number): Uint8Array {
  const nb = new Uint8Array(Math.max(need, b.length * 2));
  nb.set(b);
  return nb;
}
