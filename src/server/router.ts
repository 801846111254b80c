// Key routing for more than one shard worker. A command whose keys all live in this
// worker's slots never leaves the thread; one whose keys all live in another worker is
// forwarded (batched, asynchronous); anything spanning workers — multi-key commands,
// keyless commands that see the whole keyspace, MULTI/EXEC touching other shards — runs
// under Mesh.exclusive(), so it is atomic across shards.

import { keyPositions, lookupCommand, type Command } from "../commands/table.ts";
import { keyHashSlot, slotOwnerTable } from "../util/slots.ts";
import { bytes, parseInt64 } from "../util/bytes.ts";
import { decodeReply, ReplyError, type ReplyValue } from "../resp/reply.ts";
import type { Client } from "./client.ts";
import type { Shard } from "./shard.ts";
import { call, resolve, setRouter } from "./dispatch.ts";
import { Mesh } from "./mesh.ts";
import { feed, flush } from "./net.ts";
import { moveValue } from "../keyspace/transfer.ts";

type Strategy = (r: Router, c: Client, cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>) => void;

/** Commands whose keys are independent, so they split into one sub-command per shard. */
const SPLIT: Record<string, Strategy> = {
  del: sumInts,
  unlink: sumInts,
  exists: sumInts,
  touch: sumInts,
  watch: watchEverywhere,
  mget: gather,
  mset: allOk,
  msetnx: msetnx,
};

/** Keyless commands that must see (or change) every shard. */
const ALL_SHARDS: Record<string, (r: Router, c: Client, argv: Uint8Array[]) => void> = {
  dbsize: (r, c, argv) => c.out.int(r.sumEverywhere(c, argv)),
  keys: (r, c, argv) => r.concatEverywhere(c, argv),
  flushdb: (r, c, argv) => r.sameEverywhere(c, argv),
  flushall: (r, c, argv) => r.sameEverywhere(c, argv),
  swapdb: (r, c, argv) => r.sameEverywhere(c, argv),
  randomkey: (r, c, argv) => r.randomKey(c, argv),
  scan: (r, c, argv) => r.scan(c, argv),
  publish: (r, c, argv) => c.out.int(r.sumEverywhere(c, argv)),
  spublish: (r, c, argv) => c.out.int(r.sumEverywhere(c, argv)),
  "pubsub|numpat": (r, c, argv) => c.out.int(r.sumEverywhere(c, argv)),
  "pubsub|channels": (r, c, argv) => r.concatEverywhere(c, argv, true),
  "pubsub|shardchannels": (r, c, argv) => r.concatEverywhere(c, argv, true),
  "pubsub|numsub": (r, c, argv) => r.numsub(c, argv),
  "client|list": (r, c, argv) => r.concatText(c, argv),
  "client|kill": (r, c, argv) => r.clientKill(c, argv),
  // Every worker applies a config change before the client sees OK.
  "config|set": (r, c, argv) => r.sameEverywhere(c, argv),
  "config|resetstat": (r, c, argv) => r.sameEverywhere(c, argv),
  "pubsub|shardnumsub": (r, c, argv) => r.numsub(c, argv),
};

/** Pub/sub commands name channels in key positions but are not keyspace operations. */
const NOT_ROUTED = new Set(["ssubscribe", "sunsubscribe", "subscribe", "unsubscribe", "psubscribe", "punsubscribe"]);

export class Router {
  readonly owner: Uint8Array;
  readonly me: number;

  constructor(readonly shard: Shard, readonly mesh: Mesh) {
    this.owner = slotOwnerTable(shard.count);
    this.me = shard.id;
  }

  ownerOf(key: Uint8Array): number {
    return this.owner[keyHashSlot(key)];
  }

  /** Dispatcher hook: true when the command was taken (forwarded or run exclusively). */
  route(c: Client, cmd: Command, argv: Uint8Array[]): boolean {
    const name = cmd.fullName;
    if (name === "exec") return this.routeExec(c);
    if (name === "unwatch" || name === "discard" || name === "reset") {
      this.dropRemoteWatches(c);
      return false;
    }
    if (NOT_ROUTED.has(name)) return false;
    const all = ALL_SHARDS[name];
    if (all !== undefined) {
      this.mesh.exclusive(() => all(this, c, argv));
      return true;
    }
    const pos = keyPositions(cmd, argv);
    if (pos.length === 0) return false;
    const dst = this.ownerOf(argv[pos[0]]);
    for (let i = 1; i < pos.length; i++) {
      if (this.ownerOf(argv[pos[i]]) !== dst) {
        this.mesh.exclusive(() => this.execRouted(c, cmd, argv));
        return true;
      }
    }
    if (dst === this.me) return false;
    if (!this.mesh.fits(argv, dst)) {
      c.out.error("ERR request too large to forward between shard workers");
      return true;
    }
    if (name === "watch") (c.remoteWatches ??= new Set()).add(dst);
    this.mesh.forward(c, dst, argv, continueAfterReply);
    return true;
  }

  private dropRemoteWatches(c: Client): void {
    if (!c.remoteWatches) return;
    this.mesh.forget(c, c.remoteWatches);
    c.remoteWatches = null;
  }

  /** Shards that the queued transaction (and its WATCHes) touch. */
  private execShards(c: Client): Set<number> {
    const shards = new Set<number>(c.remoteWatches ?? []);
    for (const argv of c.multi!.queue) {
      const cmd = lookupCommand(String.fromCharCode(...argv[0]).toLowerCase());
      if (!cmd) continue;
      const real = cmd.subcommands && argv.length > 1 ? cmd.subcommands.get(String.fromCharCode(...argv[1]).toLowerCase()) ?? cmd : cmd;
      if (ALL_SHARDS[real.fullName]) return new Set([-1]);
      const pos = keyPositions(real, argv);
      for (const p of pos) shards.add(this.ownerOf(argv[p]));
    }
    shards.delete(this.me);
    return shards;
  }

  /** EXEC: local transactions run as usual; ones touching other shards run exclusively. */
  private routeExec(c: Client): boolean {
    if (!c.multi || c.multi.aborted) {
      this.dropRemoteWatches(c);
      return false;
    }
    if (this.execShards(c).size === 0) {
      this.dropRemoteWatches(c);
      return false;
    }
    this.mesh.exclusive(() => {
      const multi = c.multi!;
      c.multi = null;
      const dirty = c.watchDirty || this.mesh.remoteWatchDirty(c, c.remoteWatches);
      this.shard.unwatchAll(c);
      this.dropRemoteWatches(c);
      if (dirty) {
        c.out.nilArray();
        return;
      }
      c.out.array(multi.queue.length);
      for (const argv of multi.queue) {
        const cmd = resolve(c, argv);
        if (cmd !== null) this.execRouted(c, cmd, argv);
      }
    });
    return true;
  }

  /** Run any command with correct routing; the caller holds exclusive(). */
  execRouted(c: Client, cmd: Command, argv: Uint8Array[]): void {
    const all = ALL_SHARDS[cmd.fullName];
    if (all !== undefined) return all(this, c, argv);
    const pos = keyPositions(cmd, argv);
    if (pos.length === 0) return call(c, cmd, argv);
    const groups = new Map<number, number[]>();
    for (const p of pos) {
      const o = this.ownerOf(argv[p]);
      let g = groups.get(o);
      if (!g) groups.set(o, (g = []));
      g.push(p);
    }
    if (groups.size === 1) {
      const dst = groups.keys().next().value!;
      if (dst === this.me) call(c, cmd, argv);
      else c.out.raw(this.mesh.execOn(dst, c, argv));
      return;
    }
    const split = SPLIT[cmd.fullName];
    if (split) return split(this, c, cmd, argv, groups);
    if (cmd.fullName === "rename" || cmd.fullName === "renamenx" || cmd.fullName === "copy") {
      return moveValue(this, c, cmd.fullName, argv);
    }
    c.out.error(`ERR '${cmd.fullName}' with keys on different shard workers is not supported; put the keys in one slot with a {hash tag}`);
  }

  /** Run argv on shard dst (this one included) and return the reply bytes. */
  runOn(dst: number, c: Client, argv: Uint8Array[]): Uint8Array {
    if (dst !== this.me) return this.mesh.execOn(dst, c, argv);
    const mark = c.out.len;
    const cmd = resolve(c, argv);
    if (cmd !== null) call(c, cmd, argv);
    const reply = c.out.buf.slice(mark, c.out.len);
    c.out.len = mark;
    return reply;
  }

  runValue(dst: number, c: Client, argv: Uint8Array[]): ReplyValue {
    return decodeReply(this.runOn(dst, c, argv))[0];
  }

  /** Sub-command of argv with only the key groups at `positions` (and their values). */
  subArgv(argv: Uint8Array[], positions: number[], span: number): Uint8Array[] {
    const sub = [argv[0]];
    for (const p of positions) for (let i = 0; i < span; i++) sub.push(argv[p + i]);
    return sub;
  }

  sumEverywhere(c: Client, argv: Uint8Array[]): number {
    let total = 0;
    for (let s = 0; s < this.shard.count; s++) {
      const v = this.runValue(s, c, argv);
      if (typeof v === "number") total += v;
    }
    return total;
  }

  concatEverywhere(c: Client, argv: Uint8Array[], unique = false): void {
    const items: Uint8Array[] = [];
    const seen = new Set<string>();
    for (let s = 0; s < this.shard.count; s++) {
      const v = this.runValue(s, c, argv);
      if (v instanceof ReplyError) return c.out.error(v.message);
      for (const it of v as Uint8Array[]) {
        if (unique) {
          const k = String.fromCharCode(...it);
          if (seen.has(k)) continue;
          seen.add(k);
        }
        items.push(it);
      }
    }
    c.out.bulks(items);
  }

  /** Every shard runs it; they all answer alike, so the local answer is the reply. */
  sameEverywhere(c: Client, argv: Uint8Array[]): void {
    for (let s = 0; s < this.shard.count; s++) if (s !== this.me) this.mesh.execOn(s, c, argv);
    c.out.raw(this.runOn(this.me, c, argv));
  }

  /** Bulk-string replies (CLIENT LIST) joined in shard order. */
  concatText(c: Client, argv: Uint8Array[]): void {
    let text = "";
    for (let s = 0; s < this.shard.count; s++) {
      const v = this.runValue(s, c, argv);
      if (v instanceof ReplyError) return c.out.error(v.message);
      text += new TextDecoder().decode(v as Uint8Array);
    }
    c.out.verbatim(text);
  }

  /** CLIENT KILL: the old addr form answers OK if any worker had the client; filters sum. */
  clientKill(c: Client, argv: Uint8Array[]): void {
    let killed = 0;
    let ok = false;
    let error: ReplyError | null = null;
    for (let s = 0; s < this.shard.count; s++) {
      const v = this.runValue(s, c, argv);
      if (v instanceof ReplyError) error ??= v;
      else if (typeof v === "number") killed += v;
      else ok = true;
    }
    if (argv.length === 3) return ok ? c.out.ok() : c.out.error(error?.message ?? "ERR No such client");
    if (error && killed === 0 && !/^ERR No such client/.test(error.message)) return c.out.error(error.message);
    c.out.int(killed);
  }

  randomKey(c: Client, argv: Uint8Array[]): void {
    const order = [...Array(this.shard.count).keys()].sort(() => Math.random() - 0.5);
    for (const s of order) {
      const v = this.runValue(s, c, argv);
      if (v !== null) return c.out.bulk(v as Uint8Array);
    }
    c.out.nil();
  }

  numsub(c: Client, argv: Uint8Array[]): void {
    const counts = new Array<number>(argv.length - 2).fill(0);
    for (let s = 0; s < this.shard.count; s++) {
      const v = this.runValue(s, c, argv) as ReplyValue[];
      for (let i = 0; i < counts.length; i++) counts[i] += v[2 * i + 1] as number;
    }
    c.out.array(counts.length * 2);
    for (let i = 0; i < counts.length; i++) {
      c.out.bulk(argv[2 + i]);
      c.out.int(counts[i]);
    }
  }

  /**
   * SCAN over all shards: the cursor's low byte names the shard, the rest is that shard's
   * own cursor, so cursors stay valid across calls and shards.
   */
  scan(c: Client, argv: Uint8Array[]): void {
    const raw = parseInt64(argv[1]);
    if (raw === null || (typeof raw === "number" && raw < 0)) return c.out.error("ERR invalid cursor");
    const cursor = BigInt(raw);
    let shardNo = Number(cursor & 0xffn);
    let inner = cursor >> 8n;
    if (shardNo >= this.shard.count) return c.out.error("ERR invalid cursor");
    const sub = argv.slice();
    sub[1] = bytes(inner.toString());
    const v = this.runValue(shardNo, c, sub);
    if (v instanceof ReplyError) return c.out.error(v.message);
    const [next, keys] = v as [Uint8Array, Uint8Array[]];
    inner = BigInt(String.fromCharCode(...next));
    if (inner === 0n) {
      shardNo++;
      if (shardNo >= this.shard.count) shardNo = 0;
    }
    const out = shardNo === 0 && inner === 0n ? 0n : (inner << 8n) | BigInt(shardNo);
    c.out.array(2);
    c.out.bulkStr(out.toString());
    c.out.bulks(keys);
  }
}

/** The forwarded command's reply arrived: deliver it and let the client go on. */
function continueAfterReply(c: Client, reply: Uint8Array): void {
  if (c.closed) return;
  if (!c.repliesOff) c.out.raw(reply);
  c.paused = false;
  feed(c, null);
  flush(c);
}

function sumInts(r: Router, c: Client, _cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>): void {
  let total = 0;
  for (const [dst, positions] of groups) {
    const v = r.runValue(dst, c, r.subArgv(argv, positions, 1));
    if (v instanceof ReplyError) return c.out.error(v.message);
    total += v as number;
  }
  c.out.int(total);
}

function allOk(r: Router, c: Client, cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>): void {
  const span = cmd.step;
  for (const [dst, positions] of groups) {
    const v = r.runValue(dst, c, r.subArgv(argv, positions, span));
    if (v instanceof ReplyError) return c.out.error(v.message);
  }
  c.out.ok();
}

function watchEverywhere(r: Router, c: Client, cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>): void {
  for (const dst of groups.keys()) if (dst !== r.me) (c.remoteWatches ??= new Set()).add(dst);
  allOk(r, c, cmd, argv, groups);
}

function gather(r: Router, c: Client, _cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>): void {
  const values = new Array<Uint8Array | null>(argv.length - 1).fill(null);
  for (const [dst, positions] of groups) {
    const v = r.runValue(dst, c, r.subArgv(argv, positions, 1)) as (Uint8Array | null)[];
    for (let i = 0; i < positions.length; i++) values[positions[i] - 1] = v[i];
  }
  c.out.bulks(values);
}

function msetnx(r: Router, c: Client, cmd: Command, argv: Uint8Array[], groups: Map<number, number[]>): void {
  const exists = bytes("EXISTS");
  for (const [dst, positions] of groups) {
    const keys = positions.map((p) => argv[p]);
    if ((r.runValue(dst, c, [exists, ...keys]) as number) > 0) return c.out.int(0);
  }
  const mset = bytes("MSET");
  for (const [dst, positions] of groups) r.runOn(dst, c, [mset, ...r.subArgv(argv, positions, cmd.step).slice(1)]);
  c.out.int(1);
}

export function installRouter(shard: Shard, mesh: Mesh): Router {
  const router = new Router(shard, mesh);
  setRouter((c, cmd, argv) => router.route(c, cmd, argv));
  return router;
}
