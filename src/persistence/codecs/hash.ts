// Hashes in RDB: a listpack-encoded hash as RDB_TYPE_HASH_LISTPACK (one listpack of
// field, value, ...), a hashtable as RDB_TYPE_HASH (count, then field/value strings).
// Loading also takes the zipmaps and ziplists of older versions; the result converts to a
// hashtable when it exceeds hash-max-listpack-entries/-value, as Redis does on load.

import { T_HASH } from "../../keyspace/db.ts";
import { HashValue, type HashLimits } from "../../types/hash.ts";
import { bytes } from "../../util/bytes.ts";
import { FormatError, ListpackBuilder, elementBytes, parseListpack, parseZiplist, parseZipmap } from "../listpack.ts";
import { registerRdbDecoder, type DecodeContext, type RdbReader } from "../rdb-reader.ts";
import { RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP, registerCodec, type RdbOut } from "../rdb-writer.ts";
import { ITEMS_PER_COMMAND } from "./common.ts";

const HMSET = bytes("HMSET");

function limits(ctx: DecodeContext): HashLimits {
  return { entries: ctx.config.getNum("hash-max-listpack-entries"), value: ctx.config.getNum("hash-max-listpack-value") };
}

registerCodec(T_HASH, {
  rdbType: (v) => ((v as HashValue).encoding === "listpack" ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH),
  write(out: RdbOut, v: unknown): void {
    const h = v as HashValue;
    const n = h.positions;
    if (h.encoding === "listpack") {
      const lp = new ListpackBuilder();
      for (let p = 0; p < n; p++) {
        lp.addString(h.fieldAt(p));
        lp.addString(h.valueAt(p));
      }
      out.string(lp.finish());
      return;
    }
    out.length(h.size);
    for (let p = 0; p < n; p++) {
      if (!h.live(p)) continue;
      out.string(h.fieldAt(p));
      out.string(h.valueAt(p));
    }
  },
  rewrite(key, v, emit): void {
    const h = v as HashValue;
    const n = h.positions;
    let argv: Uint8Array[] = [];
    for (let p = 0; p < n; p++) {
      if (!h.live(p)) continue;
      if (argv.length === 0) argv.push(HMSET, key);
      argv.push(h.fieldAt(p), h.valueAt(p));
      if (argv.length === 2 + ITEMS_PER_COMMAND * 2) {
        emit(argv);
        argv = [];
      }
    }
    if (argv.length > 0) emit(argv);
  },
});

/** A hash from field, value, ... pairs; null when empty. */
function build(pairs: Uint8Array[], ctx: DecodeContext): HashValue | null {
  if (pairs.length === 0) return null;
  if (pairs.length % 2 !== 0) throw new FormatError("hash with a field but no value");
  const lim = limits(ctx);
  const h = new HashValue();
  for (let i = 0; i < pairs.length; i += 2) {
    if (!h.set(pairs[i], pairs[i + 1], lim)) throw new FormatError("Duplicate hash fields detected");
  }
  return h;
}

registerRdbDecoder([RDB_TYPE_HASH], (r: RdbReader, _t, ctx) => {
  const n = r.length();
  const lim = limits(ctx);
  const h = new HashValue();
  for (let i = 0; i < n; i++) {
    const field = r.string();
    const value = r.stringView();
    if (!h.set(field, value, lim)) throw new FormatError("Duplicate hash fields detected");
  }
  return { type: T_HASH, value: n === 0 ? null : h };
});

registerRdbDecoder([RDB_TYPE_HASH_ZIPMAP], (r, _t, ctx) => ({ type: T_HASH, value: build(parseZipmap(r.string()), ctx) }));

registerRdbDecoder([RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_LISTPACK], (r, t, ctx) => {
  const blob = r.string();
  const elements = t === RDB_TYPE_HASH_ZIPLIST ? parseZiplist(blob) : parseListpack(blob);
  return { type: T_HASH, value: build(elements.map(elementBytes), ctx) };
});
