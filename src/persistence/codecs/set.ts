// Sets in RDB: an intset as RDB_TYPE_SET_INTSET (the intset blob), a hashtable as
// RDB_TYPE_SET (count, then members). Loading converts to a hashtable past
// set-max-intset-entries, as Redis does.

import { T_SET } from "../../keyspace/db.ts";
import { SetValue, memberBytes } from "../../types/set.ts";
import { bytes } from "../../util/bytes.ts";
import { FormatError, intsetOf, parseIntset } from "../listpack.ts";
import { registerRdbDecoder, type RdbReader } from "../rdb-reader.ts";
import { RDB_TYPE_SET, RDB_TYPE_SET_INTSET, registerCodec, type RdbOut } from "../rdb-writer.ts";
import { ITEMS_PER_COMMAND } from "./common.ts";

const SADD = bytes("SADD");

registerCodec(T_SET, {
  rdbType: (v) => ((v as SetValue).encoding === "intset" ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET),
  write(out: RdbOut, v: unknown): void {
    const s = v as SetValue;
    const n = s.positions;
    if (s.encoding === "intset") {
      const ints: (number | bigint)[] = new Array(n);
      for (let p = 0; p < n; p++) ints[p] = s.memberAt(p) as number | bigint;
      out.string(intsetOf(ints));
      return;
    }
    out.length(s.size);
    for (let p = 0; p < n; p++) if (s.live(p)) out.string(memberBytes(s.memberAt(p)));
  },
  rewrite(key, v, emit): void {
    const s = v as SetValue;
    const n = s.positions;
    let argv: Uint8Array[] = [];
    for (let p = 0; p < n; p++) {
      if (!s.live(p)) continue;
      if (argv.length === 0) argv.push(SADD, key);
      argv.push(memberBytes(s.memberAt(p)));
      if (argv.length === 2 + ITEMS_PER_COMMAND) {
        emit(argv);
        argv = [];
      }
    }
    if (argv.length > 0) emit(argv);
  },
});

registerRdbDecoder([RDB_TYPE_SET], (r: RdbReader, _t, ctx) => {
  const n = r.length();
  const maxInts = ctx.config.getNum("set-max-intset-entries");
  const s = new SetValue(n <= maxInts);
  for (let i = 0; i < n; i++) {
    if (!s.addBytes(r.stringView(), maxInts)) throw new FormatError("Duplicate set members detected");
  }
  return { type: T_SET, value: n === 0 ? null : s };
});

registerRdbDecoder([RDB_TYPE_SET_INTSET], (r, _t, ctx) => {
  const ints = parseIntset(r.string());
  const maxInts = ctx.config.getNum("set-max-intset-entries");
  const s = new SetValue(true);
  for (const v of ints) s.add(v, maxInts);
  return { type: T_SET, value: s };
});
