// Pub/Sub commands (SUBSCRIBE family, PUBLISH, SPUBLISH, PUBSUB introspection) and the
// keyspace-notification publisher. Subscription state and delivery live in pubsub/hub.ts.

import { register } from "./table.ts";
import { onReset } from "./connection.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { hubOf, type ChannelKind } from "../pubsub/hub.ts";
import { keyspaceEventsFlags, NOTIFY } from "../config/directives.ts";
import { bytes, concat, fromLatin1, globMatch, latin1 } from "../util/bytes.ts";

function subscribe(c: Client, argv: Uint8Array[]): void {
  const hub = hubOf(c.shard);
  for (let j = 1; j < argv.length; j++) hub.subscribe(c, argv[j], "global");
}

function unsubscribe(c: Client, argv: Uint8Array[]): void {
  unsubscribeCommand(c, argv, "global");
}

function ssubscribe(c: Client, argv: Uint8Array[]): void {
  // Redis denies shard subscriptions to clients that expect one reply per command, which
  // includes a transaction being executed (unlike SUBSCRIBE, kept for compatibility).
  if (c.noBlock) return c.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  const hub = hubOf(c.shard);
  for (let j = 1; j < argv.length; j++) hub.subscribe(c, argv[j], "shard");
}

function sunsubscribe(c: Client, argv: Uint8Array[]): void {
  unsubscribeCommand(c, argv, "shard");
}

function unsubscribeCommand(c: Client, argv: Uint8Array[], kind: ChannelKind): void {
  const hub = hubOf(c.shard);
  if (argv.length === 1) return hub.unsubscribeAll(c, kind, true);
  for (let j = 1; j < argv.length; j++) hub.unsubscribe(c, argv[j], kind, true);
}

function psubscribe(c: Client, argv: Uint8Array[]): void {
  const hub = hubOf(c.shard);
  for (let j = 1; j < argv.length; j++) hub.psubscribe(c, argv[j]);
}

function punsubscribe(c: Client, argv: Uint8Array[]): void {
  const hub = hubOf(c.shard);
  if (argv.length === 1) return hub.punsubscribeAll(c, true);
  for (let j = 1; j < argv.length; j++) hub.punsubscribe(c, argv[j], true);
}

function publish(c: Client, argv: Uint8Array[]): void {
  c.out.int(hubOf(c.shard).publish(argv[1], argv[2], "global"));
  // Replicas deliver it to their own subscribers (Redis's forceCommandPropagation).
  if (!c.shard.config.getBool("cluster-enabled")) c.forcePropagation = true;
}

function spublish(c: Client, argv: Uint8Array[]): void {
  c.out.int(hubOf(c.shard).publish(argv[1], argv[2], "shard"));
}

// ---- PUBSUB introspection ----------------------------------------------------------

function syntaxError(c: Client, argv: Uint8Array[]): void {
  c.out.error(`ERR unknown subcommand or wrong number of arguments for '${latin1(argv[1]).slice(0, 128)}'. Try ${latin1(argv[0]).toUpperCase()} HELP.`);
}

function channelList(c: Client, argv: Uint8Array[], table: Map<string, Set<Client>>): void {
  if (argv.length > 3) return syntaxError(c, argv);
  const pattern = argv.length === 3 ? argv[2] : null;
  const names: Uint8Array[] = [];
  for (const name of table.keys()) {
    const b = fromLatin1(name);
    if (pattern === null || globMatch(pattern, b)) names.push(b);
  }
  c.out.bulks(names);
}

function numsub(c: Client, argv: Uint8Array[], table: Map<string, Set<Client>>): void {
  c.out.array((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    c.out.bulk(argv[j]);
    c.out.int(table.get(latin1(argv[j]))?.size ?? 0);
  }
}

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
];

function pubsubHelp(c: Client): void {
  c.out.array(PUBSUB_HELP.length);
  for (const line of PUBSUB_HELP) c.out.simple(line);
}

// ---- keyspace notifications ------------------------------------------------------

/** Class bits of a notification's type letters ("g", "$", "x", ...), cached per type. */
const classBitsCache = new Map<string, number>();
function classBits(type: string): number {
  let bits = classBitsCache.get(type);
  if (bits === undefined) classBitsCache.set(type, (bits = Math.max(0, keyspaceEventsFlags(type))));
  return bits;
}

/** Publish "__keyspace@<db>__:<key> <event>" and "__keyevent@<db>__:<event> <key>" as configured. */
function installNotifier(shard: Shard): void {
  const hub = hubOf(shard);
  let flags = 0;
  const refresh = () => {
    // The parsed flags, not the CONFIG GET text: that one hides "n" behind "A".
    flags = shard.config.getRaw<number>("notify-keyspace-events");
  };
  refresh();
  shard.config.onChange(refresh);
  const keyspacePrefix: Uint8Array[] = [];
  const keyeventChannels = new Map<string, Uint8Array>();
  const eventNames = new Map<string, Uint8Array>();
  shard.notifier = (type, event, key, dbIndex) => {
    if ((flags & classBits(type)) === 0 || !(hub.hasGlobalSubscribers || shard.peers.anySubscribers())) return;
    let eventName = eventNames.get(event);
    if (!eventName) eventNames.set(event, (eventName = bytes(event)));
    if (flags & NOTIFY.KEYSPACE) {
      const prefix = (keyspacePrefix[dbIndex] ??= bytes(`__keyspace@${dbIndex}__:`));
      const channel = concat([prefix, key]);
      hub.publish(channel, eventName, "global");
      shard.peers.publish(channel, eventName);
    }
    if (flags & NOTIFY.KEYEVENT) {
      const id = dbIndex + ":" + event;
      let channel = keyeventChannels.get(id);
      if (!channel) keyeventChannels.set(id, (channel = bytes(`__keyevent@${dbIndex}__:${event}`)));
      hub.publish(channel, key, "global");
      shard.peers.publish(channel, key);
    }
  };
}

export function installPubSub(shard: Shard): void {
  installNotifier(shard);
  const hub = hubOf(shard);
  shard.closeHooks.push((c) => hub.dropClient(c));
}

onReset((c) => hubOf(c.shard).dropClient(c));

const PUBSUB_ACL = ["pubsub", "slow"];
const SUBSCRIBE_FLAGS = ["pubsub", "noscript", "loading", "stale"];
const INTROSPECTION_FLAGS = ["pubsub", "loading", "stale"];

register(
  { name: "subscribe", arity: -2, flags: SUBSCRIBE_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.0.0", summary: "Listen for messages published to the given channels", complexity: "O(N) where N is the number of channels to subscribe to.", handler: subscribe },
  { name: "unsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.0.0", summary: "Stop listening for messages posted to the given channels", complexity: "O(N) where N is the number of clients already subscribed to a channel.", handler: unsubscribe },
  { name: "psubscribe", arity: -2, flags: SUBSCRIBE_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.0.0", summary: "Listen for messages published to channels matching the given patterns", complexity: "O(N) where N is the number of patterns the client is already subscribed to.", handler: psubscribe },
  { name: "punsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.0.0", summary: "Stop listening for messages posted to channels matching the given patterns", complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", handler: punsubscribe },
  { name: "publish", arity: 3, flags: ["pubsub", "loading", "stale", "fast", "may_replicate", "sentinel"], group: "pubsub", since: "2.0.0", summary: "Post a message to a channel", complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", handler: publish },
  { name: "ssubscribe", arity: -2, flags: SUBSCRIBE_FLAGS, keys: [1, -1, 1], acl: PUBSUB_ACL, group: "pubsub", since: "7.0.0", summary: "Listen for messages published to the given shard channels", complexity: "O(N) where N is the number of shard channels to subscribe to.", handler: ssubscribe },
  { name: "sunsubscribe", arity: -1, flags: SUBSCRIBE_FLAGS, keys: [1, -1, 1], acl: PUBSUB_ACL, group: "pubsub", since: "7.0.0", summary: "Stop listening for messages posted to the given shard channels", complexity: "O(N) where N is the number of clients already subscribed to a shard channel.", handler: sunsubscribe },
  { name: "spublish", arity: 3, flags: ["pubsub", "loading", "stale", "fast", "may_replicate"], keys: [1, 1, 1], group: "pubsub", since: "7.0.0", summary: "Post a message to a shard channel", complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.", handler: spublish },
  {
    name: "pubsub",
    arity: -2,
    acl: ["slow"],
    group: "pubsub",
    since: "2.8.0",
    summary: "A container for Pub/Sub commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      { name: "channels", arity: -2, flags: INTROSPECTION_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.8.0", summary: "List active channels", complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", handler: (c, argv) => channelList(c, argv, hubOf(c.shard).channels) },
      { name: "numpat", arity: 2, flags: INTROSPECTION_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.8.0", summary: "Get the count of unique patterns pattern subscriptions", complexity: "O(1)", handler: (c) => c.out.int(hubOf(c.shard).patterns.size) },
      { name: "numsub", arity: -2, flags: INTROSPECTION_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "2.8.0", summary: "Get the count of subscribers for channels", complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels", handler: (c, argv) => numsub(c, argv, hubOf(c.shard).channels) },
      { name: "shardchannels", arity: -2, flags: INTROSPECTION_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "7.0.0", summary: "List active shard channels", complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", handler: (c, argv) => channelList(c, argv, hubOf(c.shard).shardChannels) },
      { name: "shardnumsub", arity: -2, flags: INTROSPECTION_FLAGS, acl: PUBSUB_ACL, group: "pubsub", since: "7.0.0", summary: "Get the count of subscribers for shard channels", complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", handler: (c, argv) => numsub(c, argv, hubOf(c.shard).shardChannels) },
      { name: "help", arity: 2, flags: ["loading", "stale"], acl: ["slow"], group: "pubsub", since: "6.2.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: pubsubHelp },
    ],
  },
);
