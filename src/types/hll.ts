// HyperLogLog in Redis 7.0's exact byte format (hyperloglog.c), so GET/SET/DUMP of an HLL
// interoperate with real Redis. A value is a 16-byte header followed by registers:
//
//   0 "HYLL"   4 encoding (0 dense, 1 sparse)   5..7 unused   8..15 cached cardinality
//   (little endian; the MSB of byte 15 set = cache invalid)
//
// Dense: 16384 registers of 6 bits, LSB first, 12288 bytes. Sparse: run-length opcodes
//   ZERO  00xxxxxx           xxxxxx+1 zero registers (1..64)
//   XZERO 01xxxxxx yyyyyyyy  14-bit length+1 zero registers (1..16384)
//   VAL   1vvvvvxx           xx+1 registers (1..4) of value vvvvv+1 (1..32)
//
// In C an XZERO's second byte at the very end of a corrupted value reads the sds NUL
// terminator; here reads past the end count as 0 for the same effect.

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln(2)
const CARD_BYTE = 15; // holds the cache-invalid flag
const TWO_POW_32 = 4294967296;
/** Working buffers above this size are not kept between commands. */
const KEEP_BYTES = 1 << 20;
/** What Redis's llroundl()/uint64 cast yields for estimates beyond int64 (x86: LLONG_MIN). */
export const CARD_OVERFLOW = 2 ** 63;

// ---- MurmurHash64A, in 32-bit halves -------------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

/** High 32 bits of the unsigned 64-bit product a * b (a, b uint32). */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}

// Result of the last mulM()/hash: (hi:lo) as int32 halves.
let rHi = 0;
let rLo = 0;

/** (hi:lo) * m mod 2^64 into rHi:rLo. */
function mulM(hi: number, lo: number): void {
  rHi = (mulHi32(lo >>> 0, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
  rLo = Math.imul(lo, M_LO);
}

/** MurmurHash64A of d[off, off+len) with Redis's seed; the result is left in rHi:rLo. */
function murmur64(d: Uint8Array, off: number, len: number): void {
  mulM(0, len);
  let hHi = rHi;
  let hLo = rLo ^ SEED;
  const end = off + (len - (len & 7));
  let i = off;
  while (i !== end) {
    const kLo = d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24);
    const kHi = d[i + 4] | (d[i + 5] << 8) | (d[i + 6] << 16) | (d[i + 7] << 24);
    mulM(kHi, kLo);
    mulM(rHi, rLo ^ (rHi >>> 15));
    mulM(hHi ^ rHi, hLo ^ rLo);
    hHi = rHi;
    hLo = rLo;
    i += 8;
  }
  const rest = len & 7;
  if (rest !== 0) {
    if (rest >= 7) hHi ^= d[i + 6] << 16;
    if (rest >= 6) hHi ^= d[i + 5] << 8;
    if (rest >= 5) hHi ^= d[i + 4];
    if (rest >= 4) hLo ^= d[i + 3] << 24;
    if (rest >= 3) hLo ^= d[i + 2] << 16;
    if (rest >= 2) hLo ^= d[i + 1] << 8;
    hLo ^= d[i];
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  mulM(hHi, hLo ^ (hHi >>> 15));
  rLo ^= rHi >>> 15;
}

/** The full 64-bit MurmurHash64A as a bigint (tests, debugging). */
export function murmurHash64A(d: Uint8Array): bigint {
  murmur64(d, 0, d.length);
  return (BigInt(rHi >>> 0) << 32n) | BigInt(rLo >>> 0);
}

/**
 * hllPatLen of the hash in rHi:rLo: register index in the low 14 bits, and above them
 * (index + count * 2^14) the length of the 0...01 run in the remaining 50 bits, plus one.
 */
function patFromHash(): number {
  const index = rLo & HLL_P_MASK;
  const low = rLo >>> HLL_P; // hash bits 14..31
  let count: number;
  if (low !== 0) count = 32 - Math.clz32(low & -low);
  else if (rHi !== 0) count = 18 + 32 - Math.clz32(rHi & -rHi);
  else count = HLL_Q + 1;
  return index + count * HLL_REGISTERS;
}

/** hllPatLen(ele) packed as index + count * 16384. */
function patLen(ele: Uint8Array): number {
  murmur64(ele, 0, ele.length);
  return patFromHash();
}

// ---- dense registers -----------------------------------------------------------------

/** Register `index` of the dense registers starting at v[HLL_HDR_SIZE]. */
export function denseGet(v: Uint8Array, index: number): number {
  const bit = index * 6;
  const b = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  // Only offsets 4 and 6 spill into the next byte (and never past the last register).
  if (fb <= 2) return (v[b] >>> fb) & HLL_REGISTER_MAX;
  return ((v[b] >>> fb) | (v[b + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRaw(v: Uint8Array, index: number, val: number): void {
  const bit = index * 6;
  const b = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  v[b] = (v[b] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  if (fb > 2) {
    const fb8 = 8 - fb;
    v[b + 1] = (v[b + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (val >>> fb8);
  }
}

/** hllDenseSet: raise the register to count; 1 if it changed. */
function denseSet(v: Uint8Array, index: number, count: number): number {
  if (count > denseGet(v, index)) {
    denseSetRaw(v, index, count);
    return 1;
  }
  return 0;
}

/** hllDenseAdd on a dense value (edited in place). */
export function denseAdd(v: Uint8Array, ele: Uint8Array): number {
  const pat = patLen(ele);
  return denseSet(v, pat & HLL_P_MASK, pat >>> HLL_P);
}

// ---- header --------------------------------------------------------------------------

/** isHLLObjectOrReply's checks: magic, a known encoding, and the exact dense length. */
export function isHll(v: Uint8Array): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  if (v[0] !== 72 || v[1] !== 89 || v[2] !== 76 || v[3] !== 76) return false; // "HYLL"
  if (v[4] > HLL_MAX_ENCODING) return false;
  return v[4] !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

export function invalidateCache(v: Uint8Array): void {
  v[CARD_BYTE] |= 0x80;
}

export function cacheValid(v: Uint8Array): boolean {
  return (v[CARD_BYTE] & 0x80) === 0;
}

/** The cached cardinality (bytes 8..15, little endian); exact while below 2^53. */
export function cachedCard(v: Uint8Array): number | bigint {
  const lo = (v[8] | (v[9] << 8) | (v[10] << 16) | (v[11] << 24)) >>> 0;
  const hi = (v[12] | (v[13] << 8) | (v[14] << 16) | (v[15] << 24)) >>> 0;
  if (hi < 0x200000) return hi * TWO_POW_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

export function storeCard(v: Uint8Array, card: number): void {
  const lo = card % TWO_POW_32;
  const hi = (card - lo) / TWO_POW_32;
  for (let i = 0; i < 4; i++) {
    v[8 + i] = lo >>> (8 * i);
    v[12 + i] = hi >>> (8 * i);
  }
}

// ---- sparse opcodes ------------------------------------------------------------------

function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | 0x80;
}

/** Second byte of an XZERO at p, 0 past the end (the C code reads the NUL terminator). */
function xzeroLen(v: Uint8Array, p: number, end: number): number {
  return (((v[p] & 0x3f) << 8) | (p + 1 < end ? v[p + 1] : 0)) + 1;
}

/**
 * hllSparseToDense's decoding into zeroed dense registers; false if the value is corrupt:
 * the opcodes must cover exactly 16384 registers, and any opcode running past them (even
 * after a complete cover) is an overflow, as in the CVE-2025-32023 fix the reference
 * binary carries.
 */
function decodeSparse(v: Uint8Array, len: number, dense: Uint8Array): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = v[p];
    let runlen: number;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      if (runlen + idx > HLL_REGISTERS) return false;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      runlen = xzeroLen(v, p, len);
      if (runlen + idx > HLL_REGISTERS) return false;
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      if (runlen + idx > HLL_REGISTERS) return false;
      const regval = ((op >>> 2) & 0x1f) + 1;
      for (let k = 0; k < runlen; k++) denseSetRaw(dense, idx + k, regval);
      p++;
    }
    idx += runlen;
  }
  return idx === HLL_REGISTERS;
}

/**
 * A modifiable HLL: the working copy commands edit (sparse values change length), then
 * store back. One instance is reused, so it owns its buffers.
 */
export class HllBuffer {
  buf = new Uint8Array(HLL_DENSE_SIZE);
  len = 0;
  private spare = new Uint8Array(HLL_DENSE_SIZE);
  private seq = new Uint8Array(5);

  /** The current value (a view into the buffer). */
  value(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  get dense(): boolean {
    return this.buf[4] === HLL_DENSE;
  }

  /** Copy an existing value in. */
  load(v: Uint8Array): void {
    this.reserve(v.length);
    this.buf.set(v);
    this.len = v.length;
  }

  /** createHLLObject: a sparse HLL of XZERO opcodes covering every register. */
  create(): void {
    const b = this.buf;
    b.fill(0, 0, HLL_HDR_SIZE);
    b[0] = 72;
    b[1] = 89;
    b[2] = 76;
    b[3] = 76;
    b[4] = HLL_SPARSE;
    let p = HLL_HDR_SIZE;
    for (let aux = HLL_REGISTERS; aux > 0; ) {
      const xzero = aux < SPARSE_XZERO_MAX_LEN ? aux : SPARSE_XZERO_MAX_LEN;
      b[p] = ((xzero - 1) >>> 8) | 0x40;
      b[p + 1] = (xzero - 1) & 0xff;
      p += 2;
      aux -= xzero;
    }
    this.len = p;
  }

  /** Drop a buffer grown by a huge (corrupted or oddly configured) value. */
  shrink(): void {
    if (this.buf.length > KEEP_BYTES) this.buf = new Uint8Array(HLL_DENSE_SIZE);
    if (this.spare.length > KEEP_BYTES) this.spare = new Uint8Array(HLL_DENSE_SIZE);
  }

  private reserve(n: number): void {
    if (this.buf.length >= n) return;
    const nb = new Uint8Array(Math.max(n, this.buf.length * 2));
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** hllSparseToDense; false (buffer unchanged) if the sparse value is corrupt. */
  toDense(): boolean {
    if (this.dense) return true;
    const d = this.spare;
    d.fill(0, 0, HLL_DENSE_SIZE);
    d.set(this.buf.subarray(0, HLL_HDR_SIZE));
    d[4] = HLL_DENSE;
    if (!decodeSparse(this.buf, this.len, d)) return false;
    this.spare = this.buf;
    this.buf = d;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** hllAdd: 1 if a register changed, 0 if not, -1 for a corrupt sparse value. */
  add(ele: Uint8Array, sparseMax: number): number {
    const pat = patLen(ele);
    return this.set(pat & HLL_P_MASK, pat >>> HLL_P, sparseMax);
  }

  /** hllDenseSet or hllSparseSet, by the current encoding. */
  set(index: number, count: number, sparseMax: number): number {
    if (this.buf[4] === HLL_DENSE) return denseSet(this.buf, index, count);
    return this.sparseSet(index, count, sparseMax);
  }

  /**
   * hllSparseSet: raise register `index` to `count`, splitting the opcode that covers it
   * and merging equal neighbours exactly as Redis does (the bytes must match). Promotes
   * to dense when count > 32 or the value would outgrow sparseMax bytes.
   */
  private sparseSet(index: number, count: number, sparseMax: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.reserve(this.len + 3);
    const b = this.buf;
    let end = this.len;

    // Step 1: find the opcode covering the register.
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = xzeroLen(b, p, end);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p];
    const isXzero = (op & 0xc0) === 0x40;
    const isZero = (op & 0xc0) === 0;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? xzeroLen(b, p, end) : (op & 3) + 1;

    updated: {
      // A) and B): a VAL opcode that already holds enough, or a single register.
      if (!isZero && !isXzero) {
        if (((op >>> 2) & 0x1f) + 1 >= count) return 0;
        if (runlen === 1) {
          b[p] = valOp(count, 1);
          break updated;
        }
      }
      // C) a ZERO run of one register.
      if (isZero && runlen === 1) {
        b[p] = valOp(count, 1);
        break updated;
      }
      // D) split the opcode into up to three: before, the register, after.
      const seq = this.seq;
      let n = 0;
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) n = putZeros(seq, n, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) n = putZeros(seq, n, last - index);
      } else {
        const curval = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valOp(curval, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) seq[n++] = valOp(curval, last - index);
      }
      const delta = n - (isXzero ? 2 : 1);
      if (delta > 0 && this.len + delta > sparseMax) return this.promote(index, count);
      if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
      this.len += delta;
      for (let k = 0; k < n; k++) b[p + k] = seq[k];
      end += delta;
    }

    // Step 4: merge adjacent VAL opcodes of equal value, up to 5 opcodes from prev.
    p = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scanlen = 5;
    while (p < end && scanlen-- > 0) {
      const o = b[p];
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && b[p + 1] & 0x80) {
        const v1 = ((o >>> 2) & 0x1f) + 1;
        const v2 = ((b[p + 1] >>> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const len = (o & 3) + 1 + (b[p + 1] & 3) + 1;
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, len);
            b.copyWithin(p, p + 1, end);
            this.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(b);
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    denseSetRaw(this.buf, index, count);
    return 1;
  }
}

/** A ZERO or XZERO opcode for len zero registers at seq[n]; returns the next position. */
function putZeros(seq: Uint8Array, n: number, len: number): number {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq[n] = ((len - 1) >>> 8) | 0x40;
    seq[n + 1] = (len - 1) & 0xff;
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}

// ---- counting and merging ------------------------------------------------------------

const histo = new Int32Array(64);

/** Ertl's sigma (arXiv:1702.01284), as hllSigma. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** Ertl's tau, as hllTau (pow(t, 2) is exactly t * t). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The improved estimator over the register histogram; CARD_OVERFLOW beyond int64. */
function estimate(): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = Math.round((ALPHA_INF * m * m) / z);
  return e < CARD_OVERFLOW ? e : CARD_OVERFLOW;
}

function denseHisto(v: Uint8Array): void {
  const h = histo;
  let r = HLL_HDR_SIZE;
  for (let j = 0; j < 1024; j++) {
    // 16 registers in 12 bytes.
    for (let k = 0; k < 12; k += 3) {
      const b0 = v[r + k];
      const b1 = v[r + k + 1];
      const b2 = v[r + k + 2];
      h[b0 & 63]++;
      h[((b0 >>> 6) | (b1 << 2)) & 63]++;
      h[((b1 >>> 4) | (b2 << 4)) & 63]++;
      h[b2 >>> 2]++;
    }
    r += 12;
  }
}

/** hllSparseRegHisto; false if the opcodes do not cover exactly 16384 registers. */
function sparseHisto(v: Uint8Array): boolean {
  const h = histo;
  const end = v.length;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = v[p];
    let runlen: number;
    let regval = 0;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      runlen = xzeroLen(v, p, end);
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      regval = ((op >>> 2) & 0x1f) + 1;
      p++;
    }
    if (runlen + idx > HLL_REGISTERS) return false;
    idx += runlen;
    h[regval] += runlen;
  }
  return idx === HLL_REGISTERS;
}

/** hllCount of a valid-header HLL value; -1 if a sparse value is corrupt. */
export function hllCount(v: Uint8Array): number {
  histo.fill(0);
  if (v[4] === HLL_DENSE) denseHisto(v);
  else if (!sparseHisto(v)) return -1;
  return estimate();
}

/** hllCount of 16384 byte registers (the merged PFCOUNT of several keys). */
export function rawCount(max: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate();
}

/** hllMerge: max[i] = MAX(max[i], register i); false if a sparse value is corrupt. */
export function mergeInto(max: Uint8Array, v: Uint8Array): boolean {
  if (v[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(v, i);
      if (val > max[i]) max[i] = val;
    }
    return true;
  }
  const end = v.length;
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = v[p];
    let runlen: number;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      if (runlen + i > HLL_REGISTERS) return false;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      runlen = xzeroLen(v, p, end);
      if (runlen + i > HLL_REGISTERS) return false;
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      if (runlen + i > HLL_REGISTERS) return false;
      const regval = ((op >>> 2) & 0x1f) + 1;
      for (let k = i; k < i + runlen; k++) if (regval > max[k]) max[k] = regval;
      p++;
    }
    i += runlen;
  }
  return i === HLL_REGISTERS;
}

/** PFDEBUG DECODE: "z:N", "Z:N" and "v:VAL,LEN" for each opcode, space separated. */
export function decodeOpcodes(v: Uint8Array): string {
  const parts: string[] = [];
  const end = v.length;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = v[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${xzeroLen(v, p, end)}`);
      p += 2;
    } else {
      parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(" ");
}

// ---- PFSELFTEST ----------------------------------------------------------------------

/**
 * pfselftestCommand's checks: register access on random values, then 10M elements added
 * to a dense and a sparse HLL whose estimates must agree and stay within 6 standard errors.
 * Returns null on success or the failure message.
 */
export function selfTest(sparseMax: number): string | null {
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const bytecounters = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytecounters[i] = r;
      denseSetRaw(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, i);
      if (val !== bytecounters[i]) return `TESTFAILED Register ${i} should be ${bytecounters[i]} but is ${val}`;
    }
  }

  dense.fill(0);
  const hll = new HllBuffer();
  hll.create();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = (Math.random() * TWO_POW_32) >>> 0;
  const seedHi = (Math.random() * TWO_POW_32) >>> 0;
  const ele = new Uint8Array(8);
  ele[4] = seedHi;
  ele[5] = seedHi >>> 8;
  ele[6] = seedHi >>> 16;
  ele[7] = seedHi >>> 24;
  for (let j = 1; j <= 10000000; j++) {
    const lo = j ^ seedLo;
    ele[0] = lo;
    ele[1] = lo >>> 8;
    ele[2] = lo >>> 16;
    ele[3] = lo >>> 24;
    // Both HLLs get the same element: hash once.
    const pat = patLen(ele);
    const index = pat & HLL_P_MASK;
    const count = pat >>> HLL_P;
    denseSet(dense, index, count);
    hll.set(index, count, sparseMax);
    if (j !== checkpoint) continue;
    if (j < Math.floor(sparseMax / 2) && hll.dense) return "TESTFAILED sparse encoding not used";
    const card = hllCount(dense);
    if (card !== hllCount(hll.value())) return "TESTFAILED dense/sparse disagree";
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
