// COMMAND and its subcommands: the command table described in Redis 7.0's formats
// (COMMAND INFO / DOCS / LIST / GETKEYS), derived entirely from the registered specs.

import { register, lookupCommand, allCommands, commandCount, keyPositions, type Command } from "./table.ts";
import type { Client } from "../server/client.ts";
import { globMatch, is, latin1, lower } from "../util/bytes.ts";
import { SYNTAX } from "../server/errors.ts";

/** Flags COMMAND INFO shows, in Redis's order (may_replicate, sentinel, protected... stay hidden). */
const SHOWN_FLAGS = [
  "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
  "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "no_mandatory_keys", "no_async_loading",
  "no_multi", "movablekeys", "allow_busy",
];

/** ACL categories in Redis's table order (ACLCommandCategories). */
const ACL_CATEGORIES = [
  "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
  "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
];

/** addReplyHelp(): "<CMD> <subcommand> ..." header, the lines, and the HELP entry. */
export function replyHelp(c: Client, name: string, lines: string[]): void {
  c.out.array(lines.length + 3);
  c.out.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.out.simple(l);
  c.out.simple("HELP");
  c.out.simple("    Prints this help.");
}

/** addReplySubcommandSyntaxError() */
export function subcommandSyntaxError(c: Client, argv: Uint8Array[]): void {
  c.out.error(`ERR unknown subcommand or wrong number of arguments for '${latin1(argv[1]).slice(0, 128)}'. Try ${latin1(argv[0]).toUpperCase()} HELP.`);
}

/** lookupCommandBySds(): "get" or "config|get" (case-insensitive). */
export function lookupFullName(name: string): Command | undefined {
  const parts = name.toLowerCase().split("|");
  if (parts.length > 2) return undefined;
  const cmd = lookupCommand(parts[0]);
  if (parts.length === 1 || cmd === undefined) return cmd;
  return cmd.subcommands?.get(parts[1]);
}

function* withSubcommands(): Generator<Command> {
  for (const cmd of allCommands()) {
    yield cmd;
    if (cmd.subcommands) yield* cmd.subcommands.values();
  }
}

/**
 * Key access flags for the table's key positions. The table keeps Redis's legacy
 * (first, last, step) form, so the access kind follows the command's own flags.
 */
function keyFlags(cmd: Command): string[] {
  if (cmd.flags.has("write")) return ["RW", "access", "update"];
  return ["RO", "access"];
}

function replyKeySpecs(c: Client, cmd: Command): void {
  const specs: (() => void)[] = [];
  const flags = keyFlags(cmd);
  if (cmd.first > 0) {
    specs.push(() => {
      c.out.map(3);
      c.out.bulkStr("flags");
      c.out.set(flags.length);
      for (const f of flags) c.out.simple(f);
      c.out.bulkStr("begin_search");
      c.out.map(2);
      c.out.bulkStr("type");
      c.out.bulkStr("index");
      c.out.bulkStr("spec");
      c.out.map(1);
      c.out.bulkStr("index");
      c.out.int(cmd.first);
      c.out.bulkStr("find_keys");
      c.out.map(2);
      c.out.bulkStr("type");
      c.out.bulkStr("range");
      c.out.bulkStr("spec");
      c.out.map(3);
      c.out.bulkStr("lastkey");
      c.out.int(cmd.last < 0 ? cmd.last : cmd.last - cmd.first);
      c.out.bulkStr("keystep");
      c.out.int(cmd.step);
      c.out.bulkStr("limit");
      c.out.int(0);
    });
  }
  if (cmd.getKeys) {
    // Keys found by the command's own key finder: Redis's "unknown" begin_search/find_keys.
    specs.push(() => {
      c.out.map(3);
      c.out.bulkStr("flags");
      c.out.set(flags.length + 1);
      for (const f of flags) c.out.simple(f);
      c.out.simple("incomplete");
      for (const part of ["begin_search", "find_keys"]) {
        c.out.bulkStr(part);
        c.out.map(2);
        c.out.bulkStr("type");
        c.out.bulkStr("unknown");
        c.out.bulkStr("spec");
        c.out.map(0);
      }
    });
  }
  c.out.set(specs.length);
  for (const s of specs) s();
}

/** addReplyCommandInfo(): the 10-element description, or a null for unknown names. */
function replyInfo(c: Client, cmd: Command | undefined): void {
  const out = c.out;
  if (cmd === undefined) return out.nil();
  out.array(10);
  out.bulkStr(cmd.fullName);
  out.int(cmd.arity);
  const flags = SHOWN_FLAGS.filter((f) => cmd.flags.has(f));
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.int(cmd.first);
  out.int(cmd.last);
  out.int(cmd.step);
  const acl = ACL_CATEGORIES.filter((a) => cmd.acl.includes(a));
  out.set(acl.length);
  for (const a of acl) out.simple(`@${a}`);
  out.set(cmd.tips.length);
  for (const t of cmd.tips) out.bulkStr(t);
  replyKeySpecs(c, cmd);
  if (cmd.subcommands === null) return out.set(0);
  out.array(cmd.subcommands.size);
  for (const sub of cmd.subcommands.values()) replyInfo(c, sub);
}

/** addReplyCommandDocs(): summary, since, group, complexity, subcommands. */
function replyDocs(c: Client, cmd: Command): void {
  const out = c.out;
  const fields: [string, string][] = [];
  if (cmd.summary !== "") fields.push(["summary", cmd.summary]);
  fields.push(["since", cmd.since]);
  fields.push(["group", cmd.group.replace(/_/g, "-")]);
  if (cmd.complexity !== "") fields.push(["complexity", cmd.complexity]);
  out.map(fields.length + (cmd.subcommands ? 1 : 0));
  for (const [k, v] of fields) {
    out.bulkStr(k);
    out.bulkStr(v);
  }
  if (cmd.subcommands) {
    out.bulkStr("subcommands");
    out.map(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) {
      out.bulkStr(sub.fullName);
      replyDocs(c, sub);
    }
  }
}

function commandAll(c: Client): void {
  c.out.array(commandCount());
  for (const cmd of allCommands()) replyInfo(c, cmd);
}

function commandCountCmd(c: Client): void {
  c.out.int(commandCount());
}

function commandInfo(c: Client, argv: Uint8Array[]): void {
  if (argv.length === 2) return commandAll(c);
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) replyInfo(c, lookupFullName(latin1(argv[j])));
}

function commandDocs(c: Client, argv: Uint8Array[]): void {
  const cmds: Command[] = [];
  if (argv.length === 2) cmds.push(...allCommands());
  else {
    for (let j = 2; j < argv.length; j++) {
      const cmd = lookupFullName(latin1(argv[j]));
      if (cmd !== undefined) cmds.push(cmd);
    }
  }
  c.out.map(cmds.length);
  for (const cmd of cmds) {
    c.out.bulkStr(cmd.fullName);
    replyDocs(c, cmd);
  }
}

function commandList(c: Client, argv: Uint8Array[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!is(argv[i], "filterby") || argv.length - 1 - i !== 2) return c.out.error(SYNTAX);
    const arg = argv[i + 2];
    if (is(argv[i + 1], "module")) filter = () => false;
    else if (is(argv[i + 1], "aclcat")) {
      const cat = lower(arg);
      filter = ACL_CATEGORIES.includes(cat) ? (cmd) => cmd.acl.includes(cat) : () => false;
    } else if (is(argv[i + 1], "pattern")) {
      filter = (cmd) => globMatch(arg, new TextEncoder().encode(cmd.fullName), true);
    } else return c.out.error(SYNTAX);
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of withSubcommands()) if (filter === null || filter(cmd)) names.push(cmd.fullName);
  c.out.strs(names);
}

/** lookupCommand(argv) as COMMAND GETKEYS uses it: the subcommand when there is one. */
function resolveFull(argv: Uint8Array[]): Command | undefined {
  const cmd = lookupCommand(lower(argv[0]));
  if (cmd === undefined || argv.length === 1 || cmd.subcommands === null) return cmd;
  return cmd.subcommands.get(lower(argv[1]));
}

function getKeys(c: Client, argv: Uint8Array[], withFlags: boolean): void {
  const args = argv.slice(2);
  const cmd = resolveFull(args);
  if (cmd === undefined) return c.out.error("ERR Invalid command specified");
  if (cmd.first === 0 && cmd.getKeys === null) return c.out.error("ERR The command has no key arguments");
  if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
    return c.out.error("ERR Invalid number of arguments specified for command");
  }
  const positions = keyPositions(cmd, args);
  if (positions.length === 0 || positions.some((p) => p >= args.length)) {
    if (positions.length === 0 && cmd.flags.has("no_mandatory_keys")) return c.out.array(0);
    return c.out.error("ERR Invalid arguments specified for command");
  }
  const flags = keyFlags(cmd);
  c.out.array(positions.length);
  for (const p of positions) {
    if (!withFlags) {
      c.out.bulk(args[p]);
      continue;
    }
    c.out.array(2);
    c.out.bulk(args[p]);
    c.out.set(flags.length);
    for (const f of flags) c.out.simple(f);
  }
}

function commandHelp(c: Client): void {
  replyHelp(c, "COMMAND", [
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
  ]);
}

const FLAGS = ["loading", "stale", "sentinel"];
const ACL = ["connection", "slow"];

register({
  name: "command", arity: -1, flags: FLAGS, group: "server", since: "2.8.13", summary: "Get array of Redis command details", complexity: "O(N) where N is the total number of Redis commands", acl: ACL, tips: ["nondeterministic_output_order"], handler: commandAll,
  subcommands: [
    { name: "count", arity: 2, flags: FLAGS, group: "server", since: "2.8.13", summary: "Get total number of Redis commands", complexity: "O(1)", acl: ACL, handler: commandCountCmd },
    { name: "docs", arity: -2, flags: FLAGS, group: "server", since: "7.0.0", summary: "Get array of specific Redis command documentation", complexity: "O(N) where N is the number of commands to look up", acl: ACL, tips: ["nondeterministic_output_order"], handler: commandDocs },
    { name: "getkeys", arity: -4, flags: FLAGS, group: "server", since: "2.8.13", summary: "Extract keys given a full Redis command", complexity: "O(N) where N is the number of arguments to the command", acl: ACL, handler: (c, argv) => getKeys(c, argv, false) },
    { name: "getkeysandflags", arity: -4, flags: FLAGS, group: "server", since: "7.0.0", summary: "Extract keys and access flags given a full Redis command", complexity: "O(N) where N is the number of arguments to the command", acl: ACL, handler: (c, argv) => getKeys(c, argv, true) },
    { name: "help", arity: 2, flags: FLAGS, group: "server", since: "5.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", acl: ACL, handler: commandHelp },
    { name: "info", arity: -2, flags: FLAGS, group: "server", since: "2.8.13", summary: "Get array of specific Redis command details, or all when no argument is given.", complexity: "O(N) where N is the number of commands to look up", acl: ACL, tips: ["nondeterministic_output_order"], handler: commandInfo },
    { name: "list", arity: -2, flags: FLAGS, group: "server", since: "7.0.0", summary: "Get an array of Redis command names", complexity: "O(N) where N is the total number of Redis commands", acl: ACL, tips: ["nondeterministic_output_order"], handler: commandList },
  ],
});
