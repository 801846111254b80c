// CRC-64/Jones as Redis uses it for RDB trailers and DUMP payloads (reflected polynomial
// 0xad93d23594c935a9, init 0, no final xor). JS has no fast 64-bit integers, so the CRC is
// kept as two 32-bit halves, and eight bytes are folded per step with eight tables
// ("slice-by-8", like Redis's crcspeed): the steps of one round do not depend on each other.

const TABLES = 8;
/** Low and high halves of table k at [k * 256 + byte]. */
const TLO = new Uint32Array(256 * TABLES);
const THI = new Uint32Array(256 * TABLES);
{
  // The reflected polynomial: shift right, xor the bit-reversed 0xad93d23594c935a9.
  const rlo = reverse32(0xad93d235);
  const rhi = reverse32(0x94c935a9);
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ rlo) >>> 0;
        hi = (hi ^ rhi) >>> 0;
      }
    }
    TLO[i] = lo;
    THI[i] = hi;
  }
  // Table k advances a byte through k more zero bytes.
  for (let k = 1; k < TABLES; k++) {
    for (let i = 0; i < 256; i++) {
      const plo = TLO[(k - 1) * 256 + i];
      const phi = THI[(k - 1) * 256 + i];
      const idx = plo & 0xff;
      TLO[k * 256 + i] = (((plo >>> 8) | (phi << 24)) ^ TLO[idx]) >>> 0;
      THI[k * 256 + i] = ((phi >>> 8) ^ THI[idx]) >>> 0;
    }
  }
}

function reverse32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

export class Crc64 {
  lo = 0;
  hi = 0;

  update(b: Uint8Array): void {
    let lo = this.lo;
    let hi = this.hi;
    const n = b.length;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const xl = lo ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
      const xh = hi ^ (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24));
      const a = 7 * 256 + (xl & 0xff);
      const c = 6 * 256 + ((xl >>> 8) & 0xff);
      const d = 5 * 256 + ((xl >>> 16) & 0xff);
      const e = 4 * 256 + (xl >>> 24);
      const f = 3 * 256 + (xh & 0xff);
      const g = 2 * 256 + ((xh >>> 8) & 0xff);
      const h = 256 + ((xh >>> 16) & 0xff);
      const j = xh >>> 24;
      lo = TLO[a] ^ TLO[c] ^ TLO[d] ^ TLO[e] ^ TLO[f] ^ TLO[g] ^ TLO[h] ^ TLO[j];
      hi = THI[a] ^ THI[c] ^ THI[d] ^ THI[e] ^ THI[f] ^ THI[g] ^ THI[h] ^ THI[j];
    }
    for (; i < n; i++) {
      const idx = (lo ^ b[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TLO[idx];
      hi = (hi >>> 8) ^ THI[idx];
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** The 8 little-endian bytes Redis appends. */
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint32(0, this.lo, true);
    v.setUint32(4, this.hi, true);
    return out;
  }

  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(b: Uint8Array): bigint {
  const c = new Crc64();
  c.update(b);
  return c.value();
}
