// FUNCTION DUMP / RESTORE payloads: what rdbSaveFunctions writes (one RDB_OPCODE_FUNCTION2
// record with the library code per library), then the RDB version and a CRC64, as DUMP does.

import { Crc64 } from "../persistence/crc64.ts";
import { RdbError, RdbReader } from "../persistence/rdb-reader.ts";
import { OP_FUNCTION2, OP_FUNCTION_PRE_GA, RDB_VERSION, RdbOut } from "../persistence/rdb-writer.ts";

export function dumpLibraries(codes: Uint8Array[]): Uint8Array {
  const out = new RdbOut();
  for (const code of codes) {
    out.byte(OP_FUNCTION2);
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

/** The library codes of a payload, or the error to reply with. */
export function parseLibraries(p: Uint8Array): Uint8Array[] | string {
  if (!validFooter(p)) return "ERR DUMP payload version or checksum are wrong";
  const r = RdbReader.fromBytes(p.subarray(0, p.length - 10));
  const codes: Uint8Array[] = [];
  try {
    while (!r.atEnd()) {
      const type = r.u8();
      if (type !== OP_FUNCTION2 && type !== OP_FUNCTION_PRE_GA) return "ERR given type is not a function";
      if (type === OP_FUNCTION2) {
        codes.push(r.string());
        continue;
      }
      // Redis 7.0 release candidates kept name and engine outside the code (and a description).
      const name = r.text();
      const engine = r.text();
      if (r.length() !== 0) r.string();
      const blob = r.string();
      const head = new TextEncoder().encode(`#!${engine} name=${name}\n`);
      const code = new Uint8Array(head.length + blob.length);
      code.set(head);
      code.set(blob, head.length);
      codes.push(code);
    }
  } catch (e) {
    if (e instanceof RdbError) return "ERR failed loading the given functions payload";
    throw e;
  }
  return codes;
}
