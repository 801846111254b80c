// CLIENT and its subcommands: connection introspection (ID, INFO, LIST), naming, KILL,
// PAUSE/UNPAUSE (with the dispatcher's pause check), REPLY modes, NO-EVICT and the tracking
// switches. Killing closes the socket; a client killing itself gets its reply first.

import { register, lookupCommand, type Command } from "./table.ts";
import { replyHelp, subcommandSyntaxError } from "./command.ts";
import { onReset, validClientName } from "./connection.ts";
import type { Client } from "../server/client.ts";
import type { Shard } from "../server/shard.ts";
import { setPauseCheck } from "../server/dispatch.ts";
import { resume } from "../server/net.ts";
import { addInfoFields } from "../server/info.ts";
import { is, latin1, lower, parseInt64, parseSafeInt, str } from "../util/bytes.ts";
import { NOT_INTEGER, SYNTAX } from "../server/errors.ts";

// ---- tracking switches (CLIENT TRACKING / CACHING / TRACKINGINFO / GETREDIR) ---------------

interface Tracking {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: Uint8Array[];
  /** CLIENT CACHING given for the next command (OPTIN yes / OPTOUT no). */
  caching: boolean;
}

const tracking = new WeakMap<Client, Tracking>();

// ---- reply buffer sizing (Redis's clientsCronResizeOutputBuffer) ---------------------------

const REPLY_MIN = 1024;
const REPLY_CHUNK = 16 * 1024;

/** DEBUG REPLYBUFFER settings. */
export const replyBuffers = { resizing: true, peakResetMs: 5000 };

interface ReplyBuffer {
  /** The buffer size this client is given while idle (CLIENT LIST rbs). */
  size: number;
  /** Start of the current peak period. */
  since: number;
}

const replyBufferOf = new WeakMap<Client, ReplyBuffer>();

/**
 * Every 100 ms: a client whose replies outgrew its buffer gets a bigger one (up to 16 KB);
 * one that stayed within it for a whole peak period gets half. The writer grows its buffer
 * on demand, so having grown past the given size is the sign of a full buffer. Idle
 * clients get their buffer replaced with one of the chosen size.
 */
function resizeReplyBuffers(shard: Shard): void {
  if (!replyBuffers.resizing) return;
  const now = Date.now();
  for (const c of shard.clients.values()) {
    let rb = replyBufferOf.get(c);
    if (rb === undefined) {
      replyBufferOf.set(c, (rb = { size: Math.min(c.out.buf.length, REPLY_CHUNK), since: now }));
    } else if (c.out.buf.length > rb.size) {
      rb.size = Math.min(REPLY_CHUNK, rb.size * 2);
      rb.since = now;
    } else if (replyBuffers.peakResetMs >= 0 && now - rb.since >= replyBuffers.peakResetMs) {
      if (rb.size / 2 >= REPLY_MIN) rb.size /= 2;
      rb.since = now;
    }
    if (c.out.len === 0 && c.sent === 0 && c.out.buf.length !== rb.size) c.out.buf = new Uint8Array(rb.size);
  }
}

// ---- CLIENT LIST lines ---------------------------------------------------------------------

type ClientType = "normal" | "master" | "slave" | "pubsub";

function clientType(c: Client): ClientType {
  if (c.isReplica) return "slave";
  if (c.isMaster) return "master";
  return c.subscriptionCount > 0 ? "pubsub" : "normal";
}

/** getClientTypeByName() */
function typeByName(arg: Uint8Array): ClientType | null {
  const n = lower(arg);
  if (n === "normal" || n === "master" || n === "pubsub") return n;
  if (n === "slave" || n === "replica") return "slave";
  return null;
}

/** RESP size of a request, as it sat in the query buffer while it runs. */
function requestSize(argv: Uint8Array[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

function flagsOf(c: Client): string {
  let f = "";
  if (c.isReplica) f += "S";
  if (c.isMaster) f += "M";
  if (c.monitor) f += "O";
  if (c.subscriptionCount > 0) f += "P";
  if (c.multi) f += "x";
  if (c.paused) f += "b";
  if (tracking.has(c)) f += "t";
  if (c.watchDirty) f += "d";
  if (c.closeAfterReply) f += "c";
  if (c.noEvict) f += "e";
  return f === "" ? "N" : f;
}

/**
 * catClientInfoString(). `self` is the calling client with the request being run, whose
 * bytes Redis still counts in its query buffer and whose command is already current.
 */
function clientLine(c: Client, self: { client: Client; argv: Uint8Array[]; cmd: string } | null): string {
  const now = Date.now();
  const mine = self !== null && self.client === c;
  const qbuf = c.parser.pending + (mine ? requestSize(self.argv) : 0);
  const qbufFree = Math.max(0, c.parser.capacity - c.parser.pending);
  let argvMem = 0;
  if (mine) for (const a of self.argv) argvMem += a.length;
  let multiMem = 0;
  if (c.multi) for (const q of c.multi.queue) for (const a of q) multiMem += a.length;
  const pending = c.out.len - c.sent;
  const rbs = replyBufferOf.get(c)?.size ?? c.out.buf.length;
  const totMem = qbuf + qbufFree + argvMem + multiMem + rbs + 1024;
  const t = tracking.get(c);
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name ? latin1(c.name) : ""}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${flagsOf(c)}` +
    ` db=${c.dbIndex} sub=${c.channels?.size ?? 0} psub=${c.patterns?.size ?? 0} ssub=${c.shardChannels?.size ?? 0}` +
    ` multi=${c.multi ? c.multi.queue.length : -1} qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${rbs} rbp=${Math.min(rbs, c.out.len)} obl=${pending} oll=0 omem=0 tot-mem=${totMem}` +
    ` events=r${pending > 0 ? "w" : ""} cmd=${mine ? self.cmd : c.lastCommand} user=${c.user} redir=${t ? t.redirect : -1} resp=${c.out.proto}`
  );
}

/** Connections of this shard; killed ones are gone even before their socket closes. */
function liveClients(shard: Shard): Client[] {
  return [...shard.clients.values()].filter((x) => !x.closed);
}

function clientList(c: Client, argv: Uint8Array[]): void {
  const self = { client: c, argv, cmd: "client|list" };
  let clients: Client[];
  if (argv.length === 4 && is(argv[2], "type")) {
    const type = typeByName(argv[3]);
    if (type === null) return c.out.error(`ERR Unknown client type '${latin1(argv[3])}'`);
    clients = liveClients(c.shard).filter((x) => clientType(x) === type);
  } else if (argv.length > 3 && is(argv[2], "id")) {
    clients = [];
    for (let j = 3; j < argv.length; j++) {
      const id = parseSafeInt(argv[j]);
      if (id === null) return c.out.error("ERR Invalid client ID");
      const x = c.shard.clients.get(id);
      if (x !== undefined && !x.closed) clients.push(x);
    }
  } else if (argv.length !== 2) {
    return c.out.error(SYNTAX);
  } else {
    clients = liveClients(c.shard);
  }
  let text = "";
  for (const x of clients) text += clientLine(x, self) + "\n";
  c.out.verbatim(text);
}

function clientInfo(c: Client, argv: Uint8Array[]): void {
  c.out.verbatim(clientLine(c, { client: c, argv, cmd: "client|info" }) + "\n");
}

function clientId(c: Client): void {
  c.out.int(c.id);
}

function clientSetname(c: Client, argv: Uint8Array[]): void {
  const name = argv[2];
  if (!validClientName(name)) return c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
  c.name = name.length === 0 ? null : name.slice();
  c.out.ok();
}

function clientGetname(c: Client): void {
  c.out.bulk(c.name);
}

// ---- KILL ------------------------------------------------------------------------------------

/** freeClient(): drop another connection at once. */
function kill(victim: Client): void {
  victim.closeAfterReply = true;
  victim.closed = true;
  victim.socket?.end();
}

function clientKill(c: Client, argv: Uint8Array[]): void {
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let type: ClientType | null = null;
  let id = 0;
  let skipme = true;
  if (argv.length === 3) {
    addr = latin1(argv[2]);
    skipme = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const more = argv.length > i + 1;
      if (!more) return c.out.error(SYNTAX);
      const opt = argv[i];
      const val = argv[i + 1];
      if (is(opt, "id")) {
        const v = parseInt64(val);
        if (v === null || v < 1) return c.out.error("ERR client-id should be greater than 0");
        id = Number(v);
      } else if (is(opt, "type")) {
        type = typeByName(val);
        if (type === null) return c.out.error(`ERR Unknown client type '${latin1(val)}'`);
      } else if (is(opt, "addr")) {
        addr = latin1(val);
      } else if (is(opt, "laddr")) {
        laddr = latin1(val);
      } else if (is(opt, "user")) {
        user = str(val);
        // Only the default user exists until ACLs land.
        if (user !== "default") return c.out.error(`ERR No such user '${user}'`);
      } else if (is(opt, "skipme")) {
        if (is(val, "yes")) skipme = true;
        else if (is(val, "no")) skipme = false;
        else return c.out.error(SYNTAX);
      } else {
        return c.out.error(SYNTAX);
      }
    }
  }
  let killed = 0;
  let closeSelf = false;
  for (const x of liveClients(c.shard)) {
    if (addr !== null && x.addr !== addr) continue;
    if (laddr !== null && x.laddr !== laddr) continue;
    if (type !== null && clientType(x) !== type) continue;
    if (id !== 0 && x.id !== id) continue;
    if (user !== null && x.user !== user) continue;
    if (x === c) {
      if (skipme) continue;
      closeSelf = true;
    } else {
      kill(x);
    }
    killed++;
  }
  if (argv.length === 3) {
    if (killed === 0) c.out.error("ERR No such client");
    else c.out.ok();
  } else {
    c.out.int(killed);
  }
  // Our own connection closes only after the reply above is written.
  if (closeSelf) c.closeAfterReply = true;
}

// ---- PAUSE / UNPAUSE -----------------------------------------------------------------------

/** Clients held by a pause, resumed in arrival order when it ends. */
const paused = new Set<Client>();
let pauseTimer: ReturnType<typeof setTimeout> | null = null;
/** Expiry settings overridden while paused (no key may be deleted, as in Redis). */
let saved: { activeExpire: boolean; deleteExpired: boolean[] } | null = null;

function isWriteCommand(cmd: Command): boolean {
  return cmd.isWrite || cmd.flags.has("may_replicate");
}

/** Queued MULTI commands that would write make EXEC a write (Redis's mstate.cmd_flags). */
function queueWrites(c: Client): boolean {
  if (c.multi === null) return false;
  for (const argv of c.multi.queue) {
    let cmd = lookupCommand(lower(argv[0]));
    if (cmd?.subcommands && argv.length > 1) cmd = cmd.subcommands.get(lower(argv[1]));
    if (cmd !== undefined && isWriteCommand(cmd)) return true;
  }
  return false;
}

function pauseCheck(c: Client, cmd: Command): boolean {
  const shard = c.shard;
  if (Date.now() >= shard.pausedUntil) {
    endPause(shard);
    return false;
  }
  const hold = !shard.pauseWritesOnly || isWriteCommand(cmd) || (cmd.name === "exec" && queueWrites(c));
  if (hold) paused.add(c);
  return hold;
}

function startPause(shard: Shard, until: number, writesOnly: boolean): void {
  if (shard.pausedUntil !== 0 && Date.now() < shard.pausedUntil) {
    // pauseClients(): the stronger type and the later end win.
    shard.pauseWritesOnly = shard.pauseWritesOnly && writesOnly;
    shard.pausedUntil = Math.max(shard.pausedUntil, until);
  } else {
    shard.pausedUntil = until;
    shard.pauseWritesOnly = writesOnly;
  }
  if (saved === null) {
    saved = { activeExpire: shard.activeExpire, deleteExpired: shard.dbs.map((db) => db.deleteExpired) };
    shard.activeExpire = false;
    for (const db of shard.dbs) db.deleteExpired = false;
  }
  armTimer(shard);
}

function armTimer(shard: Shard): void {
  if (pauseTimer !== null) clearTimeout(pauseTimer);
  pauseTimer = setTimeout(() => {
    pauseTimer = null;
    if (Date.now() >= shard.pausedUntil) endPause(shard);
    else armTimer(shard);
  }, Math.max(1, shard.pausedUntil - Date.now()));
}

function endPause(shard: Shard): void {
  shard.pausedUntil = 0;
  shard.pauseWritesOnly = false;
  if (pauseTimer !== null) {
    clearTimeout(pauseTimer);
    pauseTimer = null;
  }
  if (saved !== null) {
    shard.activeExpire = saved.activeExpire;
    shard.dbs.forEach((db, i) => (db.deleteExpired = saved!.deleteExpired[i]));
    saved = null;
  }
  const held = [...paused];
  paused.clear();
  for (const c of held) resume(c);
}

/** FAILOVER's write pause, held until unpauseWrites. */
export function pauseWrites(shard: Shard): void {
  startPause(shard, Date.now() + 2 ** 31 - 2, true);
}

export function unpauseWrites(shard: Shard): void {
  endPause(shard);
}

function clientPause(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 4) return subcommandSyntaxError(c, argv);
  let writesOnly = false;
  if (argv.length === 4) {
    if (is(argv[3], "write")) writesOnly = true;
    else if (!is(argv[3], "all")) return c.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  }
  const ms = parseInt64(argv[2]);
  if (ms === null) return c.out.error("ERR timeout is not an integer or out of range");
  if (ms < 0) return c.out.error("ERR timeout is negative");
  if (ms > 0) startPause(c.shard, Date.now() + Number(ms), writesOnly);
  c.out.ok();
}

function clientUnpause(c: Client): void {
  if (c.shard.pausedUntil !== 0) endPause(c.shard);
  c.out.ok();
}

// ---- REPLY, NO-EVICT, UNBLOCK ------------------------------------------------------------------

function clientReply(c: Client, argv: Uint8Array[]): void {
  if (is(argv[2], "on")) {
    c.repliesOff = false;
    c.skipNext = false;
    c.out.ok();
  } else if (is(argv[2], "off")) {
    c.repliesOff = true;
  } else if (is(argv[2], "skip")) {
    if (!c.repliesOff) c.skipNext = true;
  } else {
    c.out.error(SYNTAX);
  }
}

function clientNoEvict(c: Client, argv: Uint8Array[]): void {
  if (is(argv[2], "on")) c.noEvict = true;
  else if (is(argv[2], "off")) c.noEvict = false;
  else return c.out.error(SYNTAX);
  c.out.ok();
}

function clientUnblock(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 4) return subcommandSyntaxError(c, argv);
  if (argv.length === 4 && !is(argv[3], "timeout") && !is(argv[3], "error")) {
    return c.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  const id = parseInt64(argv[2]);
  if (id === null) return c.out.error(NOT_INTEGER);
  // Only clients blocked on keys can be ended this way (pauses do not count).
  const target = typeof id === "number" ? c.shard.clients.get(id) : undefined;
  const withError = argv.length === 4 && is(argv[3], "error");
  c.out.int(target !== undefined && c.shard.blocking.unblock(target, withError) ? 1 : 0);
}

// ---- TRACKING ----------------------------------------------------------------------------------

function clientTracking(c: Client, argv: Uint8Array[]): void {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: Uint8Array[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], "redirect") && more > 0) {
      j++;
      if (redirect !== 0) return c.out.error("ERR A client can only redirect to a single other client");
      const id = parseSafeInt(argv[j]);
      if (id === null) return c.out.error(NOT_INTEGER);
      if (!c.shard.clients.has(id)) return c.out.error("ERR The client ID you want redirect to does not exist");
      redirect = id;
    } else if (is(argv[j], "bcast")) bcast = true;
    else if (is(argv[j], "optin")) optin = true;
    else if (is(argv[j], "optout")) optout = true;
    else if (is(argv[j], "noloop")) noloop = true;
    else if (is(argv[j], "prefix") && more > 0) prefixes.push(argv[++j].slice());
    else return c.out.error(SYNTAX);
  }
  if (is(argv[2], "off")) {
    tracking.delete(c);
    return c.out.ok();
  }
  if (!is(argv[2], "on")) return c.out.error(SYNTAX);
  if (!bcast && prefixes.length > 0) return c.out.error("ERR PREFIX option requires BCAST mode to be enabled");
  const cur = tracking.get(c);
  if (cur && cur.bcast !== bcast) {
    return c.out.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  if (bcast && (optin || optout)) return c.out.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  if (optin && optout) return c.out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if (cur && ((optin && cur.optout) || (optout && cur.optin))) {
    return c.out.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
  }
  tracking.set(c, {
    redirect,
    bcast,
    optin: optin || (cur?.optin ?? false),
    optout: optout || (cur?.optout ?? false),
    noloop: noloop || (cur?.noloop ?? false),
    prefixes: [...(cur?.prefixes ?? []), ...prefixes],
    caching: false,
  });
  c.out.ok();
}

function clientCaching(c: Client, argv: Uint8Array[]): void {
  const t = tracking.get(c);
  if (t === undefined) return c.out.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
  if (is(argv[2], "yes")) {
    if (!t.optin) return c.out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  } else if (is(argv[2], "no")) {
    if (!t.optout) return c.out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  } else {
    return c.out.error(SYNTAX);
  }
  t.caching = true;
  c.out.ok();
}

function clientGetredir(c: Client): void {
  const t = tracking.get(c);
  c.out.int(t ? t.redirect : -1);
}

function clientTrackinginfo(c: Client): void {
  const t = tracking.get(c);
  const flags = [t ? "on" : "off"];
  if (t?.bcast) flags.push("bcast");
  if (t?.optin) {
    flags.push("optin");
    if (t.caching) flags.push("caching-yes");
  }
  if (t?.optout) {
    flags.push("optout");
    if (t.caching) flags.push("caching-no");
  }
  if (t?.noloop) flags.push("noloop");
  const out = c.out;
  out.map(3);
  out.bulkStr("flags");
  out.set(flags.length);
  for (const f of flags) out.bulkStr(f);
  out.bulkStr("redirect");
  out.int(t ? t.redirect : -1);
  out.bulkStr("prefixes");
  out.bulks(t ? t.prefixes : []);
}

function clientHelp(c: Client): void {
  replyHelp(c, "CLIENT", [
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
  ]);
}

// RESET turns tracking off (Redis's clearClientConnectionState).
onReset((c) => tracking.delete(c));

export function installClientCommands(shard: Shard): void {
  setPauseCheck(pauseCheck);
  setInterval(() => resizeReplyBuffers(shard), 100);
  shard.closeHooks.push((c) => {
    paused.delete(c);
    tracking.delete(c);
  });
  addInfoFields("clients", (s) => {
    let n = 0;
    for (const c of s.clients.values()) if (tracking.has(c)) n++;
    return [["tracking_clients", n]];
  });
}

const SUB = ["noscript", "loading", "stale", "sentinel"];
const ADMIN = ["admin", "noscript", "loading", "stale", "sentinel"];

register({
  name: "client", arity: -2, flags: ["sentinel"], group: "connection", since: "2.4.0", summary: "A container for client connection commands", complexity: "Depends on subcommand.", acl: ["slow"],
  subcommands: [
    { name: "caching", arity: 3, flags: SUB, group: "connection", since: "6.0.0", summary: "Instruct the server about tracking or not keys in the next request", complexity: "O(1)", handler: clientCaching },
    { name: "getname", arity: 2, flags: SUB, group: "connection", since: "2.6.9", summary: "Get the current connection name", complexity: "O(1)", handler: clientGetname },
    { name: "getredir", arity: 2, flags: SUB, group: "connection", since: "6.0.0", summary: "Get tracking notifications redirection client ID if any", complexity: "O(1)", handler: clientGetredir },
    { name: "help", arity: 2, flags: ["loading", "stale", "sentinel"], group: "connection", since: "5.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: clientHelp },
    { name: "id", arity: 2, flags: SUB, group: "connection", since: "5.0.0", summary: "Returns the client ID for the current connection", complexity: "O(1)", handler: clientId },
    { name: "info", arity: 2, flags: SUB, group: "connection", since: "6.2.0", summary: "Returns information about the current client connection.", complexity: "O(1)", tips: ["nondeterministic_output"], handler: clientInfo },
    { name: "kill", arity: -3, flags: ADMIN, group: "connection", since: "2.4.0", summary: "Kill the connection of a client", complexity: "O(N) where N is the number of client connections", handler: clientKill },
    { name: "list", arity: -2, flags: ADMIN, group: "connection", since: "2.4.0", summary: "Get the list of client connections", complexity: "O(N) where N is the number of client connections", tips: ["nondeterministic_output"], handler: clientList },
    { name: "no-evict", arity: 3, flags: ADMIN, group: "connection", since: "7.0.0", summary: "Set client eviction mode for the current connection", complexity: "O(1)", handler: clientNoEvict },
    { name: "pause", arity: -3, flags: ADMIN, group: "connection", since: "2.9.50", summary: "Stop processing commands from clients for some time", complexity: "O(1)", handler: clientPause },
    { name: "reply", arity: 3, flags: SUB, group: "connection", since: "3.2.0", summary: "Instruct the server whether to reply to commands", complexity: "O(1)", handler: clientReply },
    { name: "setname", arity: 3, flags: SUB, group: "connection", since: "2.6.9", summary: "Set the current connection name", complexity: "O(1)", handler: clientSetname },
    { name: "tracking", arity: -3, flags: SUB, group: "connection", since: "6.0.0", summary: "Enable or disable server assisted client side caching support", complexity: "O(1). Some options may introduce additional complexity.", handler: clientTracking },
    { name: "trackinginfo", arity: 2, flags: SUB, group: "connection", since: "6.2.0", summary: "Return information about server assisted client side caching for the current connection", complexity: "O(1)", handler: clientTrackinginfo },
    { name: "unblock", arity: -3, flags: ADMIN, group: "connection", since: "5.0.0", summary: "Unblock a client blocked in a blocking command from a different connection", complexity: "O(log N) where N is the number of client connections", handler: clientUnblock },
    { name: "unpause", arity: 2, flags: ADMIN, group: "connection", since: "6.2.0", summary: "Resume processing of clients that were paused", complexity: "O(N) Where N is the number of paused clients", handler: clientUnpause },
  ],
});
