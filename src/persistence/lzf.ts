// LZF (liblzf 3.6, as bundled with Redis): RDB strings longer than 20 bytes are stored
// compressed when `rdbcompression yes`, and the loader must expand what Redis wrote.
//
// Stream format: a control byte < 32 starts a literal run of ctrl+1 bytes; otherwise its top
// three bits are a back-reference length (7 = one more length byte follows) and the low five
// bits plus the next byte the offset - 1 into the output produced so far.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Hash of the last 3 bytes → input position + base. Entries written by earlier calls are
 * below the current base and so read as "no candidate", which spares clearing 256 KiB per
 * call; the table is cleared only when the base nears the int32 range.
 */
const htab = new Int32Array(HSIZE);
let base = 1;

/**
 * Compress src into out (which bounds the result); returns the compressed length, or 0
 * when it does not fit in out.length bytes (the caller then stores the string plain).
 */
export function lzfCompress(src: Uint8Array, out: Uint8Array): number {
  const inLen = src.length;
  const outEnd = out.length;
  if (inLen === 0) return 0;
  if (base + inLen + 1 > 0x7fff0000) {
    htab.fill(0);
    base = 1;
  }
  const b = base;
  base += inLen + 1;
  let ip = 0;
  let op = 1;
  let lit = 0;
  let hval = (src[0] << 8) | (inLen > 1 ? src[1] : 0);
  while (ip < inLen - 2) {
    hval = ((hval << 8) | src[ip + 2]) >>> 0;
    const slot = ((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1);
    const ref = htab[slot] - b;
    htab[slot] = ip + b;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && src[ref + 2] === src[ip + 2] && src[ref] === src[ip] && src[ref + 1] === src[ip + 1]) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      do len++;
      while (len < maxlen && src[ref + len] === src[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // Hash the two positions the match skipped over, as VERY_FAST liblzf does.
      ip -= 2;
      hval = (src[ip] << 8) | src[ip + 1];
      for (let k = 0; k < 2; k++) {
        hval = ((hval << 8) | src[ip + 2]) >>> 0;
        htab[((hval >>> (3 * 8 - HLOG)) - Math.imul(hval, 5)) & (HSIZE - 1)] = ip + b;
        ip++;
      }
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = src[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inLen) {
    lit++;
    out[op++] = src[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return op;
}

export class LzfError extends Error {}

/** Expand compressed LZF data into exactly outLen bytes; throws LzfError on bad input. */
export function lzfDecompress(src: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  const inEnd = src.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    let ctrl = src[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen) throw new LzfError("LZF output overflow");
      if (ip + ctrl > inEnd) throw new LzfError("LZF input truncated");
      out.set(src.subarray(ip, ip + ctrl), op);
      op += ctrl;
      ip += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) throw new LzfError("LZF input truncated");
      if (len === 7) {
        len += src[ip++];
        if (ip >= inEnd) throw new LzfError("LZF input truncated");
      }
      ref -= src[ip++];
      len += 2;
      if (op + len > outLen) throw new LzfError("LZF output overflow");
      if (ref < 0) throw new LzfError("LZF back reference before the start");
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new LzfError(`LZF expanded to ${op} bytes, expected ${outLen}`);
  return out;
}
