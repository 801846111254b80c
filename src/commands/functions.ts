// FUNCTION: the registry of Redis 7 function libraries (LOAD, DELETE, FLUSH, LIST, STATS,
// DUMP, RESTORE, KILL, HELP). FCALL / FCALL_RO live with EVAL in scripting.ts.

import { register } from "./table.ts";
import { replyHelp, subcommandSyntaxError } from "./command.ts";
import type { Client } from "../server/client.ts";
import { deleteLibrary, flushLibraries, libraryCodes, loadLibrary, restoreLibraries, LOAD_TIMEOUT_MS } from "../scripting/library.ts";
import { FLAG_NAMES } from "../scripting/flags.ts";
import { dumpLibraries, parseLibraries } from "../scripting/payload.ts";
import { BUSY_EVAL, killScript } from "../scripting/run.ts";
import { scripting } from "../scripting/state.ts";
import { globMatch, is, latin1, str } from "../util/bytes.ts";

function load(c: Client, argv: Uint8Array[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (!is(argv[i], "replace")) return c.out.error(`ERR Unknown option given: ${latin1(argv[i])}`);
    replace = true;
  }
  if (i >= argv.length) return c.out.error("ERR Function code is missing");
  const result = loadLibrary(scripting(c.shard), argv[i], replace, LOAD_TIMEOUT_MS);
  if (typeof result === "string") return c.out.error(`ERR ${result}`);
  c.shard.dirty++;
  c.out.bulkStr(result.name);
}

function del(c: Client, argv: Uint8Array[]): void {
  if (!deleteLibrary(scripting(c.shard), str(argv[2]))) return c.out.error("ERR Library not found");
  c.shard.dirty++;
  c.out.ok();
}

function flush(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3) return subcommandSyntaxError(c, argv);
  if (argv.length === 3 && !is(argv[2], "sync") && !is(argv[2], "async")) return c.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  flushLibraries(scripting(c.shard));
  c.shard.dirty++;
  c.out.ok();
}

function list(c: Client, argv: Uint8Array[]): void {
  let withCode = false;
  let pattern: Uint8Array | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && is(argv[i], "withcode")) {
      withCode = true;
      continue;
    }
    if (pattern === null && is(argv[i], "libraryname")) {
      if (i >= argv.length - 1) return c.out.error("ERR library name argument was not given");
      pattern = argv[++i];
      continue;
    }
    return c.out.error(`ERR Unknown argument ${latin1(argv[i])}`);
  }
  const te = new TextEncoder();
  const libs = [...scripting(c.shard).libraries.values()].filter((lib) => pattern === null || globMatch(pattern, te.encode(lib.name), true));
  const out = c.out;
  out.array(libs.length);
  for (const lib of libs) {
    out.map(withCode ? 4 : 3);
    out.bulkStr("library_name");
    out.bulkStr(lib.name);
    out.bulkStr("engine");
    out.bulkStr("LUA");
    out.bulkStr("functions");
    out.array(lib.functions.size);
    for (const fn of lib.functions.values()) {
      out.map(3);
      out.bulkStr("name");
      out.bulkStr(fn.name);
      out.bulkStr("description");
      out.bulk(fn.description);
      out.bulkStr("flags");
      const names = FLAG_NAMES.filter(([flag]) => (fn.flags & flag) !== 0);
      out.set(names.length);
      for (const [, name] of names) out.simple(name);
    }
    if (withCode) {
      out.bulkStr("library_code");
      out.bulk(lib.code);
    }
  }
}

function stats(c: Client): void {
  const state = scripting(c.shard);
  const run = state.running;
  if (run !== null && run.isEval) return c.out.error(BUSY_EVAL);
  const out = c.out;
  out.map(2);
  out.bulkStr("running_script");
  if (run === null) out.nil();
  else {
    out.map(3);
    out.bulkStr("name");
    out.bulkStr(run.name);
    out.bulkStr("command");
    out.bulks(run.argv);
    out.bulkStr("duration_ms");
    out.int(run.durationMs);
  }
  out.bulkStr("engines");
  out.map(1);
  out.bulkStr("LUA");
  out.map(2);
  out.bulkStr("libraries_count");
  out.int(state.libraries.size);
  out.bulkStr("functions_count");
  out.int(state.functions.size);
}

function dump(c: Client): void {
  c.out.bulk(dumpLibraries(libraryCodes(scripting(c.shard))));
}

function restore(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 4) return subcommandSyntaxError(c, argv);
  let policy: "append" | "replace" | "flush" = "append";
  if (argv.length === 4) {
    if (is(argv[3], "append")) policy = "append";
    else if (is(argv[3], "replace")) policy = "replace";
    else if (is(argv[3], "flush")) policy = "flush";
    else return c.out.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
  }
  const codes = parseLibraries(argv[2]);
  if (typeof codes === "string") return c.out.error(codes);
  const err = restoreLibraries(scripting(c.shard), codes, policy);
  if (err !== null) return c.out.error(`ERR ${err}`);
  c.shard.dirty++;
  c.out.ok();
}

function kill(c: Client): void {
  const err = killScript(c.shard, false);
  if (err !== null) return c.out.error(err);
  c.out.ok();
}

function help(c: Client): void {
  replyHelp(c, "FUNCTION", [
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
  ]);
}

const ALL_SHARDS = ["request_policy:all_shards", "response_policy:all_succeeded"];

register({
  name: "function",
  arity: -2,
  group: "scripting",
  since: "7.0.0",
  summary: "A container for function commands",
  complexity: "Depends on subcommand.",
  subcommands: [
    { name: "delete", arity: 3, flags: ["write", "noscript"], group: "scripting", since: "7.0.0", summary: "Delete a function by name", complexity: "O(1)", tips: ALL_SHARDS, handler: del },
    { name: "dump", arity: 2, flags: ["noscript"], group: "scripting", since: "7.0.0", summary: "Dump all functions into a serialized binary payload", complexity: "O(N) where N is the number of functions", handler: dump },
    { name: "flush", arity: -2, flags: ["write", "noscript"], group: "scripting", since: "7.0.0", summary: "Deleting all functions", complexity: "O(N) where N is the number of functions deleted", tips: ALL_SHARDS, handler: flush },
    { name: "help", arity: 2, flags: ["loading", "stale"], group: "scripting", since: "7.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: help },
    { name: "kill", arity: 2, flags: ["noscript", "allow_busy"], group: "scripting", since: "7.0.0", summary: "Kill the function currently in execution.", complexity: "O(1)", tips: ["request_policy:all_shards", "response_policy:one_succeeded"], handler: kill },
    { name: "list", arity: -2, flags: ["noscript"], group: "scripting", since: "7.0.0", summary: "List information about all the functions", complexity: "O(N) where N is the number of functions", tips: ["nondeterministic_output_order"], handler: list },
    { name: "load", arity: -3, flags: ["write", "denyoom", "noscript"], group: "scripting", since: "7.0.0", summary: "Create a function with the given arguments (name, code, description)", complexity: "O(1) (considering compilation time is redundant)", tips: ALL_SHARDS, handler: load },
    { name: "restore", arity: -3, flags: ["write", "denyoom", "noscript"], group: "scripting", since: "7.0.0", summary: "Restore all the functions on the given payload", complexity: "O(N) where N is the number of functions on the payload", tips: ALL_SHARDS, handler: restore },
    { name: "stats", arity: 2, flags: ["noscript", "allow_busy"], group: "scripting", since: "7.0.0", summary: "Return information about the function currently running (name, description, duration)", complexity: "O(1)", tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"], handler: stats },
  ],
});
