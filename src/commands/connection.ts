// Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { is, parseSafeInt, str } from "../util/bytes.ts";
import { BAD_DB, NOT_INTEGER, wrongArgs } from "../server/errors.ts";
import { REDIS_VERSION } from "../version.ts";

const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

function ping(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 2) return c.out.error(wrongArgs("ping"));
  if (c.inPubSubContext) {
    c.out.array(2);
    c.out.bulkStr("pong");
    c.out.bulk(argv.length === 2 ? argv[1] : new Uint8Array(0));
    return;
  }
  if (argv.length === 2) c.out.bulk(argv[1]);
  else c.out.simple("PONG");
}

/** Check a password for a user (only "default" exists until ACLs land). */
function checkAuth(c: Client, user: string, pass: Uint8Array): boolean {
  const required = c.shard.config.getStr("requirepass");
  if (user !== "default") return false;
  if (required === "") return true;
  return str(pass) === required;
}

function auth(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3) return c.out.error("ERR syntax error");
  const required = c.shard.config.getStr("requirepass");
  if (argv.length === 2 && required === "") {
    return c.out.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
  }
  const user = argv.length === 3 ? str(argv[1]) : "default";
  const pass = argv[argv.length - 1];
  if (!checkAuth(c, user, pass)) {
    c.authenticated = false;
    return c.out.error(WRONGPASS);
  }
  c.authenticated = true;
  c.user = user;
  c.out.ok();
}

function hello(c: Client, argv: Uint8Array[]): void {
  let i = 1;
  let proto = c.out.proto;
  if (argv.length >= 2) {
    const v = parseSafeInt(argv[1]);
    if (v === null) return c.out.error("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) return c.out.error("NOPROTO unsupported protocol version");
    proto = v as 2 | 3;
    i = 2;
  }
  let name: Uint8Array | null = null;
  for (; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (is(argv[i], "auth") && more >= 2) {
      if (!checkAuth(c, str(argv[i + 1]), argv[i + 2])) return c.out.error(WRONGPASS);
      c.authenticated = true;
      c.user = str(argv[i + 1]);
      i += 2;
    } else if (is(argv[i], "setname") && more >= 1) {
      name = argv[i + 1];
      if (!validClientName(name)) return c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
      i += 1;
    } else {
      return c.out.error(`ERR Syntax error in HELLO option '${str(argv[i])}'`);
    }
  }
  if (!c.authenticated) return c.out.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
  if (name !== null) c.name = name.length === 0 ? null : name.slice();
  c.out.proto = proto;
  const out = c.out;
  out.map(7);
  out.bulkStr("server");
  out.bulkStr("redis");
  out.bulkStr("version");
  out.bulkStr(REDIS_VERSION);
  out.bulkStr("proto");
  out.int(proto);
  out.bulkStr("id");
  out.int(c.id);
  out.bulkStr("mode");
  out.bulkStr(c.shard.config.getBool("cluster-enabled") ? "cluster" : "standalone");
  out.bulkStr("role");
  out.bulkStr("master");
  out.bulkStr("modules");
  out.array(0);
}

export function validClientName(name: Uint8Array): boolean {
  for (const b of name) if (b < 33 || b > 126) return false;
  return true;
}

function select(c: Client, argv: Uint8Array[]): void {
  const idx = parseSafeInt(argv[1]);
  if (idx === null) return c.out.error(NOT_INTEGER);
  if (c.shard.config.getBool("cluster-enabled") && idx !== 0) return c.out.error("ERR SELECT is not allowed in cluster mode");
  if (idx < 0 || idx >= c.shard.dbs.length) return c.out.error(BAD_DB);
  c.select(idx);
  c.out.ok();
}

function quit(c: Client): void {
  c.out.ok();
  c.closeAfterReply = true;
}

/** Hooks run by RESET so each module can drop its per-client state (MULTI, pub/sub, ...). */
const resetHooks: ((c: Client) => void)[] = [];
export function onReset(h: (c: Client) => void): void {
  resetHooks.push(h);
}

function reset(c: Client): void {
  for (const h of resetHooks) h(c);
  c.select(0);
  c.out.proto = 2;
  c.name = null;
  c.repliesOff = false;
  c.skipNext = false;
  c.monitor = false;
  c.authenticated = c.shard.config.getStr("requirepass") === "";
  c.user = "default";
  c.out.simple("RESET");
}

function echo(c: Client, argv: Uint8Array[]): void {
  c.out.bulk(argv[1]);
}

register(
  { name: "ping", arity: -1, flags: ["fast", "sentinel"], group: "connection", summary: "Ping the server", complexity: "O(1)", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], handler: ping },
  { name: "echo", arity: 2, flags: ["fast"], group: "connection", summary: "Echo the given string", complexity: "O(1)", handler: echo },
  { name: "quit", arity: -1, flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no_auth"], group: "connection", summary: "Close the connection", complexity: "O(1)", handler: quit },
  { name: "reset", arity: 1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"], group: "connection", since: "6.2.0", summary: "Reset the connection", complexity: "O(1)", handler: reset },
  { name: "auth", arity: -2, flags: ["noscript", "loading", "stale", "fast", "no_auth", "sentinel", "allow_busy"], group: "connection", summary: "Authenticate to the server", complexity: "O(N) where N is the number of passwords defined for the user", handler: auth },
  { name: "hello", arity: -1, flags: ["noscript", "loading", "stale", "fast", "no_auth", "sentinel", "allow_busy"], group: "connection", since: "6.0.0", summary: "Handshake with Redis", complexity: "O(1)", handler: hello },
  { name: "select", arity: 2, flags: ["loading", "stale", "fast"], group: "connection", summary: "Change the selected database for the current connection", complexity: "O(1)", handler: select },
);
