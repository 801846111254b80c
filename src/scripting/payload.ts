// FUNCTION DUMP / RESTORE payloads: what rdbSaveFunctions writes (one RDB_OPCODE_FUNCTION2
// record with the library code per library), then the RDB version and a CRC64, as DUMP does.

import { Crc64 } from "../persistence/crc64.ts";
import { RDB_VERSION, RdbOut } from "../persistence/rdb-writer.ts";

const RDB_OPCODE_FUNCTION = 246;
const RDB_OPCODE_FUNCTION2 = 245;

export function dumpLibraries(codes: Uint8Array[]): Uint8Array {
  const out = new RdbOut();
  for (const code of codes) {
    out.byte(RDB_OPCODE_FUNCTION2);
    out.length(code.length);
    out.raw(code);
  }
  out.byte(RDB_VERSION & 0xff);
  out.byte(RDB_VERSION >> 8);
  const crc = new Crc64();
  crc.update(out.bytes());
  out.raw(crc.digest());
  return out.bytes().slice();
}

/** verifyDumpPayload(): a known RDB version and a matching checksum. */
function validFooter(p: Uint8Array): boolean {
  if (p.length < 10) return false;
  const version = p[p.length - 10] | (p[p.length - 9] << 8);
  if (version > RDB_VERSION) return false;
  const crc = new Crc64();
  crc.update(p.subarray(0, p.length - 8));
  const want = crc.digest();
  for (let i = 0; i < 8; i++) if (p[p.length - 8 + i] !== want[i]) return false;
  return true;
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly end: number) {}

  byte(): number {
    if (this.pos >= this.end) throw new Error("truncated");
    return this.b[this.pos++];
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new Error("truncated");
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** RDB length encoding; encoded values (integers, LZF) come back as their type (-1 - enc). */
  length(): number {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === 0) return first & 0x3f;
    if (kind === 1) return ((first & 0x3f) << 8) | this.byte();
    if (first === 0x80) return new DataView(this.take(4).slice().buffer).getUint32(0);
    if (first === 0x81) return Number(new DataView(this.take(8).slice().buffer).getBigUint64(0));
    if (kind === 3) return -1 - (first & 0x3f);
    throw new Error("bad length");
  }

  /** rdbGenericLoadStringObject(): raw, integer-encoded or LZF-compressed. */
  string(): Uint8Array {
    const len = this.length();
    if (len >= 0) return this.take(len);
    const enc = -1 - len;
    const te = new TextEncoder();
    if (enc === 0) return te.encode(String(new DataView(this.take(1).slice().buffer).getInt8(0)));
    if (enc === 1) return te.encode(String(new DataView(this.take(2).slice().buffer).getInt16(0, true)));
    if (enc === 2) return te.encode(String(new DataView(this.take(4).slice().buffer).getInt32(0, true)));
    if (enc === 3) {
      const clen = this.length();
      const ulen = this.length();
      return lzfDecompress(this.take(clen), ulen);
    }
    throw new Error("bad string encoding");
  }
}

/** LZF decompression (lzf_d.c), for payloads written by Redis with rdbcompression on. */
function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > input.length) throw new Error("bad lzf data");
      out.set(input.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) len += input[ip++];
      ref -= input[ip++];
      len += 2;
      if (op + len > outLen || ref < 0) throw new Error("bad lzf data");
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new Error("bad lzf data");
  return out;
}

/** The library codes of a payload, or the error to reply with. */
export function parseLibraries(p: Uint8Array): Uint8Array[] | string {
  if (!validFooter(p)) return "ERR DUMP payload version or checksum are wrong";
  const r = new Reader(p, p.length - 10);
  const codes: Uint8Array[] = [];
  try {
    while (r.pos < r.end) {
      const type = r.byte();
      if (type !== RDB_OPCODE_FUNCTION && type !== RDB_OPCODE_FUNCTION2) return "ERR given type is not a function";
      if (type === RDB_OPCODE_FUNCTION2) {
        codes.push(r.string().slice());
        continue;
      }
      // Redis 7.0 release candidates kept name and engine outside the code (and a description).
      const name = r.string();
      const engine = r.string();
      if (r.length() !== 0) r.string();
      const blob = r.string();
      const head = new TextEncoder().encode(`#!${new TextDecoder().decode(engine)} name=${new TextDecoder().decode(name)}\n`);
      const code = new Uint8Array(head.length + blob.length);
      code.set(head);
      code.set(blob, head.length);
      codes.push(code);
    }
  } catch {
    return "ERR failed loading the given functions payload";
  }
  return codes;
}
