// Lists in RDB (RDB_TYPE_LIST_QUICKLIST_2, Redis 7.0): the node count, then each node as its
// container kind (2 = a listpack of elements) and the listpack, keeping the list's own node
// boundaries. Loading also takes quicklists of ziplists (Redis 3.2-6.2), single ziplists and
// the plain linked lists of older versions, and plain (single huge element) nodes.

import { T_LIST } from "../../keyspace/db.ts";
import { QuickList } from "../../types/list.ts";
import { bytes } from "../../util/bytes.ts";
import { FormatError, ListpackBuilder, elementBytes, parseListpack, parseZiplist, type Element } from "../listpack.ts";
import { registerRdbDecoder, type DecodeContext, type RdbReader } from "../rdb-reader.ts";
import { RDB_TYPE_LIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_LIST_ZIPLIST, registerCodec, type RdbOut } from "../rdb-writer.ts";
import { ITEMS_PER_COMMAND } from "./common.ts";

const CONTAINER_PLAIN = 1;
const CONTAINER_PACKED = 2;
const RPUSH = bytes("RPUSH");

registerCodec(T_LIST, {
  rdbType: () => RDB_TYPE_LIST_QUICKLIST_2,
  write(out: RdbOut, v: unknown): void {
    const list = v as QuickList;
    const counts: number[] = [];
    for (let node = list.head; node !== null; node = node.next) if (node.count > 0) counts.push(node.count);
    out.length(counts.length);
    const lp = new ListpackBuilder();
    let node = 0;
    list.forEach((e) => {
      lp.addString(e);
      if (lp.count === counts[node]) {
        out.length(CONTAINER_PACKED);
        out.string(lp.finish());
        lp.reset();
        node++;
      }
    });
  },
  rewrite(key, v, emit): void {
    let argv: Uint8Array[] = [];
    (v as QuickList).forEach((e) => {
      if (argv.length === 0) argv.push(RPUSH, key);
      argv.push(e);
      if (argv.length === 2 + ITEMS_PER_COMMAND) {
        emit(argv);
        argv = [];
      }
    });
    if (argv.length > 0) emit(argv);
  },
});

function newList(ctx: DecodeContext): QuickList {
  return new QuickList(ctx.config.getNum("list-max-listpack-size"));
}

function pushAll(list: QuickList, elements: Element[]): void {
  for (const e of elements) list.pushTail(elementBytes(e));
}

registerRdbDecoder([RDB_TYPE_LIST], (r: RdbReader, _t, ctx) => {
  const n = r.length();
  const list = newList(ctx);
  for (let i = 0; i < n; i++) list.pushTail(r.stringView());
  return { type: T_LIST, value: n === 0 ? null : list };
});

registerRdbDecoder([RDB_TYPE_LIST_ZIPLIST], (r, _t, ctx) => {
  const list = newList(ctx);
  pushAll(list, parseZiplist(r.string()));
  return { type: T_LIST, value: list.length === 0 ? null : list };
});

registerRdbDecoder([RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2], (r, t, ctx) => {
  const nodes = r.length();
  const list = newList(ctx);
  for (let i = 0; i < nodes; i++) {
    const container = t === RDB_TYPE_LIST_QUICKLIST_2 ? r.length() : CONTAINER_PACKED;
    if (container === CONTAINER_PLAIN) {
      list.pushTail(r.stringView());
      continue;
    }
    if (container !== CONTAINER_PACKED) throw new FormatError(`Quicklist integrity check failed: unknown container ${container}`);
    const blob = r.string();
    // Empty nodes are skipped, as Redis does; a list left empty is dropped by the loader.
    pushAll(list, t === RDB_TYPE_LIST_QUICKLIST_2 ? parseListpack(blob) : parseZiplist(blob));
  }
  return { type: T_LIST, value: list.length === 0 ? null : list };
});
