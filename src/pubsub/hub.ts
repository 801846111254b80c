// Pub/Sub subscription tables of one shard worker and delivery to its local subscribers.
// publish() is the single delivery point: PUBLISH/SPUBLISH, keyspace notifications and
// (in multi-worker deployments) messages relayed from other workers all go through it.

import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { ReplyWriter } from "../resp/writer.ts";
import { scheduleFlush } from "../server/net.ts";
import { bytes, fromLatin1, globMatch, latin1 } from "../util/bytes.ts";

/** Global channels and shard channels have separate namespaces, replies and counts. */
export type ChannelKind = "global" | "shard";

interface PatternSubscribers {
  pattern: Uint8Array;
  clients: Set<Client>;
}

const SUBSCRIBE = bytes("subscribe");
const UNSUBSCRIBE = bytes("unsubscribe");
const PSUBSCRIBE = bytes("psubscribe");
const PUNSUBSCRIBE = bytes("punsubscribe");
const SSUBSCRIBE = bytes("ssubscribe");
const SUNSUBSCRIBE = bytes("sunsubscribe");
const MESSAGE = bytes("message");
const PMESSAGE = bytes("pmessage");
const SMESSAGE = bytes("smessage");
const PUSH_TYPE = 62; // '>'

/** Messages are encoded once per publish and copied to every subscriber. */
const scratch = new ReplyWriter();

/** Copy a RESP2-encoded message into a subscriber's output; RESP3 clients get a push. */
function send(c: Client, payload: Uint8Array): void {
  const at = c.out.len;
  c.out.raw(payload);
  // The RESP2 array header and the RESP3 push header differ only in their type byte.
  if (c.out.proto === 3) c.out.buf[at] = PUSH_TYPE;
  c.pushedUntil = c.out.len;
  scheduleFlush(c);
}

function encode(parts: Uint8Array[]): Uint8Array {
  scratch.reset();
  scratch.array(parts.length);
  for (const p of parts) scratch.bulk(p);
  return scratch.buf.subarray(0, scratch.len);
}

function globalCount(c: Client): number {
  return (c.channels?.size ?? 0) + (c.patterns?.size ?? 0);
}

/** Subscription confirmation: [kind, name or nil, count after the change]. */
function confirm(c: Client, kind: Uint8Array, name: Uint8Array | null, count: number): void {
  c.out.push(3);
  c.out.bulk(kind);
  c.out.bulk(name);
  c.out.int(count);
  c.pushedUntil = c.out.len;
}

export class Hub {
  /** Called when this worker gains its first or loses its last global subscriber. */
  onSubscribersChanged: ((any: boolean) => void) | null = null;
  readonly channels = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, PatternSubscribers>();

  private table(kind: ChannelKind): Map<string, Set<Client>> {
    return kind === "global" ? this.channels : this.shardChannels;
  }

  subscribe(c: Client, channel: Uint8Array, kind: ChannelKind): void {
    const name = latin1(channel);
    const mine = kind === "global" ? (c.channels ??= new Set()) : (c.shardChannels ??= new Set());
    if (!mine.has(name)) {
      mine.add(name);
      const table = this.table(kind);
      let subs = table.get(name);
      if (!subs) table.set(name, (subs = new Set()));
      subs.add(c);
      this.changed();
    }
    if (kind === "global") confirm(c, SUBSCRIBE, channel, globalCount(c));
    else confirm(c, SSUBSCRIBE, channel, mine.size);
  }

  /** Unsubscribe from one channel; notify = send the confirmation (commands, not cleanup). */
  unsubscribe(c: Client, channel: Uint8Array, kind: ChannelKind, notify: boolean): void {
    const name = latin1(channel);
    const mine = kind === "global" ? c.channels : c.shardChannels;
    if (mine?.delete(name)) {
      const table = this.table(kind);
      const subs = table.get(name)!;
      subs.delete(c);
      if (subs.size === 0) table.delete(name);
      this.changed();
    }
    if (!notify) return;
    if (kind === "global") confirm(c, UNSUBSCRIBE, channel, globalCount(c));
    else confirm(c, SUNSUBSCRIBE, channel, c.shardChannels?.size ?? 0);
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE without arguments; replies once with nil when there was nothing. */
  unsubscribeAll(c: Client, kind: ChannelKind, notify: boolean): void {
    const mine = kind === "global" ? c.channels : c.shardChannels;
    let count = 0;
    if (mine) {
      for (const name of [...mine]) {
        this.unsubscribe(c, fromLatin1(name), kind, notify);
        count++;
      }
    }
    if (notify && count === 0) {
      if (kind === "global") confirm(c, UNSUBSCRIBE, null, globalCount(c));
      else confirm(c, SUNSUBSCRIBE, null, 0);
    }
  }

  psubscribe(c: Client, pattern: Uint8Array): void {
    const name = latin1(pattern);
    const mine = (c.patterns ??= new Set());
    if (!mine.has(name)) {
      mine.add(name);
      let subs = this.patterns.get(name);
      if (!subs) this.patterns.set(name, (subs = { pattern: pattern.slice(), clients: new Set() }));
      subs.clients.add(c);
      this.changed();
    }
    confirm(c, PSUBSCRIBE, pattern, globalCount(c));
  }

  punsubscribe(c: Client, pattern: Uint8Array, notify: boolean): void {
    const name = latin1(pattern);
    if (c.patterns?.delete(name)) {
      const subs = this.patterns.get(name)!;
      subs.clients.delete(c);
      if (subs.clients.size === 0) this.patterns.delete(name);
      this.changed();
    }
    if (notify) confirm(c, PUNSUBSCRIBE, pattern, globalCount(c));
  }

  punsubscribeAll(c: Client, notify: boolean): void {
    let count = 0;
    if (c.patterns) {
      for (const name of [...c.patterns]) {
        this.punsubscribe(c, fromLatin1(name), notify);
        count++;
      }
    }
    if (notify && count === 0) confirm(c, PUNSUBSCRIBE, null, globalCount(c));
  }

  /** Drop every subscription of a client silently (disconnect, RESET). */
  dropClient(c: Client): void {
    if (c.channels) this.unsubscribeAll(c, "global", false);
    if (c.shardChannels) this.unsubscribeAll(c, "shard", false);
    if (c.patterns) this.punsubscribeAll(c, false);
  }

  /**
   * Deliver a message to this shard's subscribers: channel subscribers first, then every
   * matching pattern (shard channels ignore patterns). Returns the number of deliveries.
   */
  publish(channel: Uint8Array, message: Uint8Array, kind: ChannelKind): number {
    let receivers = 0;
    const subs = this.table(kind).get(latin1(channel));
    if (subs) {
      const payload = encode([kind === "global" ? MESSAGE : SMESSAGE, channel, message]);
      for (const c of subs) send(c, payload);
      receivers += subs.size;
    }
    if (kind === "shard" || this.patterns.size === 0) return receivers;
    for (const p of this.patterns.values()) {
      if (!globMatch(p.pattern, channel)) continue;
      const payload = encode([PMESSAGE, p.pattern, channel, message]);
      for (const c of p.clients) send(c, payload);
      receivers += p.clients.size;
    }
    return receivers;
  }

  /** Whether anyone could receive a global-channel message (cheap pre-check for notifications). */
  get hasGlobalSubscribers(): boolean {
    return this.channels.size > 0 || this.patterns.size > 0;
  }

  private changed(): void {
    if (this.onSubscribersChanged) this.onSubscribersChanged(this.hasGlobalSubscribers);
  }
}

const hubs = new WeakMap<Shard, Hub>();

/** The hub of a shard, created on first use. */
export function hubOf(shard: Shard): Hub {
  let hub = hubs.get(shard);
  if (!hub) hubs.set(shard, (hub = new Hub()));
  return hub;
}
