// Sorted sets in RDB: a listpack-encoded zset as RDB_TYPE_ZSET_LISTPACK (member, score
// text, ... in score order), a skiplist as RDB_TYPE_ZSET_2 (count, then member and binary
// double from the highest score down, so Redis's loader inserts at the head). Loading also
// takes RDB_TYPE_ZSET (text scores) and ziplists; the set ends up in the encoding its size
// calls for under zset-max-listpack-entries/-value.

import { T_ZSET } from "../../keyspace/db.ts";
import { ZSet, d2string, formatG17, memberBytes, memberOf, parseScore } from "../../types/zset.ts";
import { bytes } from "../../util/bytes.ts";
import { FormatError, ListpackBuilder, elementBytes, parseListpack, parseZiplist, type Element } from "../listpack.ts";
import { registerRdbDecoder, type DecodeContext, type RdbReader } from "../rdb-reader.ts";
import { RDB_TYPE_ZSET, RDB_TYPE_ZSET_2, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_ZSET_ZIPLIST, registerCodec, type RdbOut } from "../rdb-writer.ts";
import { ITEMS_PER_COMMAND } from "./common.ts";

const ZADD = bytes("ZADD");
const encoder = new TextEncoder();

registerCodec(T_ZSET, {
  rdbType: (v) => ((v as ZSet).encoding === "listpack" ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2),
  write(out: RdbOut, v: unknown): void {
    const z = v as ZSet;
    if (z.encoding === "listpack") {
      const lp = new ListpackBuilder();
      z.walk(0, false, (m, score) => {
        lp.addString(memberBytes(m));
        lp.addString(encoder.encode(d2string(score)));
      });
      out.string(lp.finish());
      return;
    }
    out.length(z.size);
    z.walk(z.size - 1, true, (m, score) => {
      out.string(memberBytes(m));
      out.f64le(score);
    });
  },
  rewrite(key, v, emit): void {
    const z = v as ZSet;
    let argv: Uint8Array[] = [];
    z.walk(0, false, (m, score) => {
      if (argv.length === 0) argv.push(ZADD, key);
      argv.push(encoder.encode(formatG17(score)), memberBytes(m));
      if (argv.length === 2 + ITEMS_PER_COMMAND * 2) {
        emit(argv);
        argv = [];
      }
    });
    if (argv.length > 0) emit(argv);
  },
});

function limits(ctx: DecodeContext) {
  return { entries: ctx.config.getNum("zset-max-listpack-entries"), value: ctx.config.getNum("zset-max-listpack-value") };
}

/** Collects members, refusing duplicates and NaN scores as Redis's loader does. */
class Pairs {
  readonly members: string[] = [];
  readonly scores: number[] = [];
  private readonly seen = new Set<string>();

  add(member: Uint8Array, score: number): void {
    if (Number.isNaN(score)) throw new FormatError("Zset with NAN score detected");
    const m = memberOf(member);
    if (this.seen.has(m)) throw new FormatError("Duplicate zset fields detected");
    this.seen.add(m);
    this.members.push(m);
    this.scores.push(score);
  }

  build(ctx: DecodeContext): ZSet | null {
    return this.members.length === 0 ? null : ZSet.fromPairs(this.members, this.scores, limits(ctx));
  }
}

registerRdbDecoder([RDB_TYPE_ZSET, RDB_TYPE_ZSET_2], (r: RdbReader, t, ctx) => {
  const n = r.length();
  const pairs = new Pairs();
  for (let i = 0; i < n; i++) {
    const member = r.string();
    pairs.add(member, t === RDB_TYPE_ZSET_2 ? r.f64le() : r.textDouble());
  }
  return { type: T_ZSET, value: pairs.build(ctx) };
});

function scoreOf(e: Element): number {
  if (typeof e !== "object") return Number(e);
  const v = parseScore(e);
  if (v === null) throw new FormatError("bad zset score in listpack");
  return v;
}

registerRdbDecoder([RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_ZSET_LISTPACK], (r, t, ctx) => {
  const blob = r.string();
  const elements = t === RDB_TYPE_ZSET_ZIPLIST ? parseZiplist(blob) : parseListpack(blob);
  if (elements.length % 2 !== 0) throw new FormatError("zset listpack with a member but no score");
  const pairs = new Pairs();
  for (let i = 0; i < elements.length; i += 2) pairs.add(elementBytes(elements[i]), scoreOf(elements[i + 1]));
  return { type: T_ZSET, value: pairs.build(ctx) };
});
