// CRC-64/Jones as Redis uses it for RDB trailers and DUMP payloads (reflected polynomial
// 0xad93d23594c935a9, init 0, no final xor), computed on two 32-bit halves to stay fast.

const TLO = new Uint32Array(256);
const THI = new Uint32Array(256);
{
  const POLY_LO = 0x94c935a9 >>> 0;
  const POLY_HI = 0xad93d235 >>> 0;
  // Reflected table: shift right, xor the bit-reversed polynomial (halves swap places).
  const rlo = reverse32(POLY_HI);
  const rhi = reverse32(POLY_LO);
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
    for (let i = 0; i < b.length; i++) {
      const idx = (lo ^ b[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ TLO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ THI[idx]) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
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
