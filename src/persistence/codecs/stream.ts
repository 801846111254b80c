// Streams in RDB (RDB_TYPE_STREAM_LISTPACKS_2, Redis 7.0): every node as its 16-byte
// master ID and a listpack laid out as t_stream.c does (master entry with the node's live and
// deleted counts and master fields, then per entry flags, ID deltas, fields/values and the
// back-count), then length, last/first/max-deleted IDs, entries-added, and the consumer
// groups with their PELs and consumers. RDB_TYPE_STREAM_LISTPACKS (Redis 5-6) loads too.

import { T_STREAM } from "../../keyspace/db.ts";
import { Consumer, Nack, Stream, StreamId, type ConsumerGroup, type StreamNode } from "../../types/stream.ts";
import { bytes, latin1 } from "../../util/bytes.ts";
import { FormatError, ListpackBuilder, elementBytes, elementInt, parseListpack, type Element } from "../listpack.ts";
import { registerRdbDecoder, type RdbReader } from "../rdb-reader.ts";
import { RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, registerCodec, type RdbOut } from "../rdb-writer.ts";

const F_DELETED = 1;
const F_SAMEFIELDS = 2;
const TWO32 = 4294967296;
const U32_MAX = 0xffffffff;
const ENTRIES_READ_INVALID = -1;

/** a - b of two u64 (as words) wrapped to int64, as the listpack stores ID deltas. */
function delta(aHi: number, aLo: number, bHi: number, bLo: number): number | bigint {
  if (aHi === bHi) return aLo - bLo;
  const a = (BigInt(aHi) << 32n) | BigInt(aLo);
  const b = (BigInt(bHi) << 32n) | BigInt(bLo);
  const d = BigInt.asIntN(64, a - b);
  return d >= -9007199254740991n && d <= 9007199254740991n ? Number(d) : d;
}

/** base + d (an int64 delta) wrapped to u64, into words[at], words[at + 1]. */
function addDelta(hi: number, lo: number, d: number | bigint, words: number[], at: number): void {
  if (typeof d === "number" && hi === 0 && lo + d >= 0 && lo + d < TWO32) {
    words[at] = 0;
    words[at + 1] = lo + d;
    return;
  }
  const v = BigInt.asUintN(64, ((BigInt(hi) << 32n) | BigInt(lo)) + BigInt(d));
  words[at] = Number(v >> 32n);
  words[at + 1] = Number(v & 0xffffffffn);
}

/** The live nodes of a stream in ID order. */
function nodesOf(s: Stream): StreamNode[] {
  const nodes: StreamNode[] = [];
  s.range(new StreamId(), StreamId.max(), false, (node) => {
    if (nodes.length === 0 || nodes[nodes.length - 1] !== node) nodes.push(node);
    return true;
  });
  return nodes;
}

function element(node: StreamNode, e: number): Uint8Array {
  return node.data.subarray(node.elemStart(e), node.ends[e]);
}

/** A node's listpack in Redis's stream layout, tombstones included. */
function nodeListpack(node: StreamNode): Uint8Array {
  const lp = new ListpackBuilder();
  const m = node.master;
  lp.addInt(node.live);
  lp.addInt(node.size - node.live);
  lp.addInt(node.masterFields.length);
  for (const f of node.masterFields) lp.addString(f);
  lp.addInt(0);
  const id = new StreamId();
  for (let i = 0; i < node.size; i++) {
    const same = node.usesMasterFields(i);
    lp.addInt((node.isDeleted(i) ? F_DELETED : 0) | (same ? F_SAMEFIELDS : 0));
    node.idAt(i, id);
    lp.addInt(delta(id.msHi, id.msLo, m.msHi, m.msLo));
    lp.addInt(delta(id.seqHi, id.seqLo, m.seqHi, m.seqLo));
    const nfields = node.fieldCount(i);
    const first = node.first[i];
    const last = node.first[i + 1];
    if (!same) lp.addInt(nfields);
    for (let e = first; e < last; e++) lp.addString(element(node, e));
    lp.addInt(same ? nfields + 3 : nfields * 2 + 4);
  }
  return lp.finish();
}

function writeId(out: RdbOut, id: StreamId): void {
  out.lengthWords(id.msHi, id.msLo);
  out.lengthWords(id.seqHi, id.seqLo);
}

/** A signed counter saved through rdbSaveLen (entries_read may be -1: all ones). */
function writeCounter(out: RdbOut, v: number): void {
  if (v < 0) out.lengthWords(U32_MAX, U32_MAX);
  else out.length(v);
}

function writeGroup(out: RdbOut, g: ConsumerGroup): void {
  out.string(g.name);
  writeId(out, g.lastId);
  writeCounter(out, g.entriesRead);
  out.length(g.pel.size);
  g.pel.forEachFrom(null, (nack) => {
    const id = nack.id;
    out.id128(id.msHi, id.msLo, id.seqHi, id.seqLo);
    out.millis(nack.deliveryTime);
    out.length(nack.deliveryCount);
    return true;
  });
  const consumers = g.sortedConsumers();
  out.length(consumers.length);
  for (const c of consumers) {
    out.string(c.name);
    out.millis(c.seenTime);
    out.length(c.pel.size);
    c.pel.forEachFrom(null, (nack) => {
      const id = nack.id;
      out.id128(id.msHi, id.msLo, id.seqHi, id.seqLo);
      return true;
    });
  }
}

const XADD = bytes("XADD");
const XSETID = bytes("XSETID");
const XGROUP = bytes("XGROUP");
const XCLAIM = bytes("XCLAIM");
const enc = (s: string | number) => bytes(String(s));

registerCodec(T_STREAM, {
  rdbType: () => RDB_TYPE_STREAM_LISTPACKS_2,
  write(out: RdbOut, v: unknown): void {
    const s = v as Stream;
    const nodes = nodesOf(s);
    out.length(nodes.length);
    for (const node of nodes) {
      const m = node.master;
      const key = new Uint8Array(16);
      const dv = new DataView(key.buffer);
      dv.setUint32(0, m.msHi);
      dv.setUint32(4, m.msLo);
      dv.setUint32(8, m.seqHi);
      dv.setUint32(12, m.seqLo);
      out.string(key);
      out.string(nodeListpack(node));
    }
    out.length(s.length);
    writeId(out, s.lastId);
    writeId(out, s.firstId);
    writeId(out, s.maxDeletedId);
    out.length(s.entriesAdded);
    const groups = s.sortedGroups();
    out.length(groups.length);
    for (const g of groups) writeGroup(out, g);
  },
  rewrite(key, v, emit): void {
    const s = v as Stream;
    if (s.length > 0) {
      s.range(new StreamId(), StreamId.max(), false, (node, i) => {
        const argv = [XADD, key, enc(node.idString(i))];
        const same = node.usesMasterFields(i);
        const first = node.first[i];
        for (let e = first; e < node.first[i + 1]; e++) {
          if (same) argv.push(node.masterFields[e - first]);
          argv.push(element(node, e));
        }
        emit(argv);
        return true;
      });
    } else {
      emit([XADD, key, enc("MAXLEN"), enc(0), enc("0-1"), enc("x"), enc("y")]);
    }
    emit([XSETID, key, enc(s.lastId.toString()), enc("ENTRIESADDED"), enc(s.entriesAdded), enc("MAXDELETEDID"), enc(s.maxDeletedId.toString())]);
    for (const g of s.sortedGroups()) {
      emit([XGROUP, enc("CREATE"), key, g.name, enc(g.lastId.toString()), enc("ENTRIESREAD"), enc(g.entriesRead)]);
      for (const c of g.sortedConsumers()) {
        if (c.pel.size === 0) {
          emit([XGROUP, enc("CREATECONSUMER"), key, g.name, c.name]);
          continue;
        }
        c.pel.forEachFrom(null, (nack) => {
          emit([XCLAIM, key, g.name, c.name, enc(0), enc(nack.id.toString()), enc("TIME"), enc(nack.deliveryTime), enc("RETRYCOUNT"), enc(nack.deliveryCount), enc("JUSTID"), enc("FORCE")]);
          return true;
        });
      }
    }
  },
});

// ---- loading --------------------------------------------------------------------------------

function readId(r: RdbReader, words: number[]): StreamId {
  r.lengthWords(words);
  const msHi = words[0];
  const msLo = words[1];
  r.lengthWords(words);
  return new StreamId(msHi, msLo, words[0], words[1]);
}

function readCounter(r: RdbReader, words: number[]): number {
  r.lengthWords(words);
  if (words[0] === U32_MAX && words[1] === U32_MAX) return ENTRIES_READ_INVALID;
  if (words[0] >= 0x200000) throw new FormatError("stream counter out of range");
  return words[0] * TWO32 + words[1];
}

/** Append the live entries of one serialized node to s. */
function loadNode(s: Stream, master: StreamId, elements: Element[], maxEntries: number, maxBytes: number, last: StreamId): number {
  let p = 0;
  const next = (): Element => {
    if (p >= elements.length) throw new FormatError("stream listpack entry is truncated");
    return elements[p++];
  };
  const int = (): number => {
    const v = elementInt(next());
    if (typeof v !== "number") throw new FormatError("stream listpack counter out of range");
    return v;
  };
  const live = int();
  const deleted = int();
  const nMaster = int();
  if (live + deleted === 0) throw new FormatError("Empty listpack inside stream");
  const masterFields: Uint8Array[] = [];
  for (let k = 0; k < nMaster; k++) masterFields.push(elementBytes(next()));
  if (int() !== 0) throw new FormatError("stream master entry without terminator");
  const words = [0, 0, 0, 0];
  const id = new StreamId();
  let seenLive = 0;
  let seenDeleted = 0;
  while (p < elements.length) {
    const flags = int();
    addDelta(master.msHi, master.msLo, elementInt(next()), words, 0);
    addDelta(master.seqHi, master.seqLo, elementInt(next()), words, 2);
    id.setWords(words[0], words[1], words[2], words[3]);
    const same = (flags & F_SAMEFIELDS) !== 0;
    const nfields = same ? nMaster : int();
    const argv: Uint8Array[] = [];
    for (let k = 0; k < nfields; k++) {
      if (same) argv.push(masterFields[k]);
      else argv.push(elementBytes(next()));
      argv.push(elementBytes(next()));
    }
    if (int() !== (same ? nfields + 3 : nfields * 2 + 4)) throw new FormatError("stream entry back-count mismatch");
    if (id.compare(last) <= 0 && !(last.isZero() && id.isZero() && s.length === 0)) throw new FormatError("stream entry IDs are not in order");
    last.set(id);
    if (flags & F_DELETED) {
      seenDeleted++;
      continue;
    }
    seenLive++;
    s.append(id, argv, 0, nfields, maxEntries, maxBytes);
  }
  if (seenLive !== live || seenDeleted !== deleted) throw new FormatError("stream node counts do not match its entries");
  return seenLive;
}

registerRdbDecoder([RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2], (r: RdbReader, t, ctx) => {
  const s = new Stream();
  const maxEntries = ctx.config.getNum("stream-node-max-entries");
  const maxBytes = ctx.config.getNum("stream-node-max-bytes");
  const words = [0, 0];
  const nodes = r.length();
  const last = new StreamId();
  let entries = 0;
  for (let n = 0; n < nodes; n++) {
    const key = r.string();
    if (key.length !== 16) throw new FormatError("Stream node key entry is not the size of a stream ID");
    const dv = new DataView(key.buffer, key.byteOffset, 16);
    const master = new StreamId(dv.getUint32(0), dv.getUint32(4), dv.getUint32(8), dv.getUint32(12));
    const elements = parseListpack(r.string());
    if (elements.length === 0) throw new FormatError("Empty listpack inside stream");
    entries += loadNode(s, master, elements, maxEntries, maxBytes, last);
  }
  const length = r.length();
  if (length !== entries) throw new FormatError("Stream length inconsistent with its entries");
  s.length = length;
  s.lastId.set(readId(r, words));
  if (t === RDB_TYPE_STREAM_LISTPACKS_2) {
    s.firstId.set(readId(r, words));
    s.maxDeletedId.set(readId(r, words));
    s.entriesAdded = readCounter(r, words);
  } else {
    s.refreshFirstId();
    s.maxDeletedId.setZero();
    s.entriesAdded = length;
  }
  const groups = r.length();
  for (let g = 0; g < groups; g++) {
    const name = r.string();
    const lastId = readId(r, words);
    const entriesRead = t === RDB_TYPE_STREAM_LISTPACKS_2 ? readCounter(r, words) : s.estimateDistance(lastId);
    const group = s.createGroup(name, latin1(name), lastId, entriesRead);
    if (group === null) throw new FormatError(`Duplicated consumer group name ${latin1(name)}`);
    const id4 = [0, 0, 0, 0];
    let pel = r.length();
    while (pel-- > 0) {
      r.id128(id4);
      const id = new StreamId(id4[0], id4[1], id4[2], id4[3]);
      const nack = new Nack(id, r.millis(), r.length(), null);
      if (group.pel.get(id) !== undefined) throw new FormatError("Duplicated global PEL entry loading stream consumer group");
      group.pel.add(nack);
    }
    const consumers = r.length();
    for (let c = 0; c < consumers; c++) {
      const cname = r.string();
      const ckey = latin1(cname);
      if (group.consumers.has(ckey)) throw new FormatError("Duplicate stream consumer detected.");
      const consumer = new Consumer(cname, r.millis());
      group.consumers.set(ckey, consumer);
      pel = r.length();
      while (pel-- > 0) {
        r.id128(id4);
        const id = new StreamId(id4[0], id4[1], id4[2], id4[3]);
        const nack = group.pel.get(id);
        if (nack === undefined) throw new FormatError("Consumer entry not found in group global PEL");
        if (consumer.pel.get(id) !== undefined) throw new FormatError("Duplicated consumer PEL entry loading a stream consumer group");
        nack.consumer = consumer;
        consumer.pel.add(nack);
      }
    }
    let orphan = false;
    group.pel.forEachFrom(null, (nack) => !(orphan = nack.consumer === null));
    if (orphan) throw new FormatError("Stream CG PEL entry without consumer");
  }
  return { type: T_STREAM, value: s };
});
