// Lua scripting: EVAL, EVALSHA and their _RO variants, FCALL / FCALL_RO, and SCRIPT
// (EXISTS, FLUSH, KILL, LOAD, HELP). Scripts run through src/scripting (the Lua engine, the
// redis.* API and the run context).

import { register, lookupCommandBytes, type CommandSpec } from "./table.ts";
import { replyHelp } from "./command.ts";
import type { Client } from "../server/client.ts";
import { addInfoFields, bytesToHuman } from "../server/info.ts";
import { cacheScript } from "../scripting/eval.ts";
import { findFunction } from "../scripting/library.ts";
import { BUSY_EVAL, BUSY_FUNCTION, ScriptRun, killScript, outOfMemory, prepareError } from "../scripting/run.ts";
import { scripting } from "../scripting/state.ts";
import { is, latin1, parseInt64 } from "../util/bytes.ts";
import { NOT_INTEGER } from "../server/errors.ts";

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

/** numkeys: the key count, or null after replying with the error. */
function numKeys(c: Client, argv: Uint8Array[], badNumber: string): number | null {
  const n = parseInt64(argv[2]);
  if (n === null) {
    c.out.error(badNumber);
    return null;
  }
  if (n > argv.length - 3) {
    c.out.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (n < 0) {
    c.out.error("ERR Number of keys can't be negative");
    return null;
  }
  return Number(n);
}

/** Key positions of EVAL-like commands: numkeys keys after the script / function name. */
function scriptKeys(argv: Uint8Array[]): number[] {
  const n = argv.length > 2 ? parseInt64(argv[2]) : null;
  if (n === null || n <= 0 || n > argv.length - 3) return [];
  return Array.from({ length: Number(n) }, (_, i) => 3 + i);
}

/** Run a compiled script or function for c and reply (now, or when it finishes). */
function invoke(c: Client, argv: Uint8Array[], ref: number, name: string, isEval: boolean, flags: number, ro: boolean, keys: number): void {
  const state = scripting(c.shard);
  if (state.running !== null) return c.out.error(state.running.isEval ? BUSY_EVAL : BUSY_FUNCTION);
  const oom = outOfMemory(c.shard);
  const refused = prepareError(c, flags, ro, oom);
  if (refused !== null) return c.out.error(refused);
  const self = lookupCommandBytes(argv[0])!;
  const keyArgs = argv.slice(3, 3 + keys).map((a) => a.slice());
  const args = argv.slice(3 + keys).map((a) => a.slice());
  const engine = isEval ? state.evalEngine : state.fnEngine;
  if (isEval) {
    engine.setGlobalArray("KEYS", keyArgs);
    engine.setGlobalArray("ARGV", args);
  }
  const run = new ScriptRun(state, c, argv.map((a) => a.slice()), name, isEval, flags, ro, oom);
  // The run propagates the script's effects; the command as sent is never propagated.
  c.propagateAs = [];
  run.run(engine, ref, isEval ? null : [keyArgs, args], self);
}

function evalGeneric(c: Client, argv: Uint8Array[], evalsha: boolean, ro: boolean): void {
  const state = scripting(c.shard);
  if (evalsha && argv[1].length !== 40) return c.out.error(NOSCRIPT);
  const keys = numKeys(c, argv, NOT_INTEGER);
  if (keys === null) return;
  let sha: string;
  if (evalsha) {
    sha = latin1(argv[1]).toLowerCase();
    if (!state.scripts.has(sha)) return c.out.error(NOSCRIPT);
  } else {
    const cached = cacheScript(state, argv[1]);
    if (typeof cached === "string") return c.out.error(cached);
    sha = cached.sha;
  }
  const script = state.scripts.get(sha)!;
  invoke(c, argv, script.ref, sha, true, script.flags, ro, keys);
}

function fcallGeneric(c: Client, argv: Uint8Array[], ro: boolean): void {
  const state = scripting(c.shard);
  const fn = findFunction(state, argv[1]);
  if (fn === undefined) return c.out.error("ERR Function not found");
  const keys = numKeys(c, argv, "ERR Bad number of keys provided");
  if (keys === null) return;
  invoke(c, argv, fn.ref, fn.name, false, fn.flags, ro, keys);
}

function scriptExists(c: Client, argv: Uint8Array[]): void {
  const scripts = scripting(c.shard).scripts;
  c.out.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.out.int(scripts.has(latin1(argv[j]).toLowerCase()) ? 1 : 0);
}

function scriptFlush(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3 || (argv.length === 3 && !is(argv[2], "sync") && !is(argv[2], "async"))) {
    return c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  scripting(c.shard).resetEval();
  c.out.ok();
}

function scriptLoad(c: Client, argv: Uint8Array[]): void {
  const cached = cacheScript(scripting(c.shard), argv[2]);
  if (typeof cached === "string") return c.out.error(cached);
  c.out.bulkStr(cached.sha);
}

function scriptKill(c: Client): void {
  const err = killScript(c.shard, true);
  if (err !== null) return c.out.error(err);
  c.out.ok();
}

function scriptHelp(c: Client): void {
  replyHelp(c, "SCRIPT", [
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
  ]);
}

/** INFO memory: the scripting fields Redis reports. Lua memory is not measurable in fengari
 *  (it lives on the JavaScript heap), so the interpreter's share is estimated from the code. */
addInfoFields("memory", (shard) => {
  const state = scripting(shard);
  let functionBytes = 0;
  for (const lib of state.libraries.values()) functionBytes += lib.code.length;
  const luaBytes = 32 * 1024 + state.scriptsBytes;
  const vmBytes = luaBytes + 32 * 1024 + functionBytes;
  const scriptBytes = state.scriptsBytes + functionBytes;
  return [
    ["used_memory_lua", luaBytes],
    ["used_memory_vm_eval", luaBytes],
    ["used_memory_lua_human", bytesToHuman(luaBytes)],
    ["used_memory_scripts_eval", state.scriptsBytes],
    ["number_of_cached_scripts", state.scripts.size],
    ["number_of_functions", state.functions.size],
    ["number_of_libraries", state.libraries.size],
    ["used_memory_vm_functions", 32 * 1024 + functionBytes],
    ["used_memory_vm_total", vmBytes],
    ["used_memory_vm_total_human", bytesToHuman(vmBytes)],
    ["used_memory_functions", functionBytes],
    ["used_memory_scripts", scriptBytes],
    ["used_memory_scripts_human", bytesToHuman(scriptBytes)],
  ];
});

const EVAL_FLAGS = ["noscript", "stale", "skip_monitor", "may_replicate", "no_mandatory_keys"];
const EVAL_RO_FLAGS = ["readonly", "noscript", "stale", "skip_monitor", "no_mandatory_keys"];

function scriptCommand(name: string, flags: string[], since: string, summary: string, complexity: string, handler: (c: Client, argv: Uint8Array[]) => void): CommandSpec {
  return { name, arity: -3, flags, getKeys: scriptKeys, group: "scripting", since, summary, complexity, handler };
}

const EVAL_COMPLEXITY = "Depends on the script that is executed.";
const FCALL_COMPLEXITY = "Depends on the function that is executed.";

register(
  scriptCommand("eval", EVAL_FLAGS, "2.6.0", "Execute a Lua script server side", EVAL_COMPLEXITY, (c, argv) => evalGeneric(c, argv, false, false)),
  scriptCommand("eval_ro", EVAL_RO_FLAGS, "7.0.0", "Execute a read-only Lua script server side", EVAL_COMPLEXITY, (c, argv) => evalGeneric(c, argv, false, true)),
  scriptCommand("evalsha", EVAL_FLAGS, "2.6.0", "Execute a Lua script server side", EVAL_COMPLEXITY, (c, argv) => evalGeneric(c, argv, true, false)),
  scriptCommand("evalsha_ro", EVAL_RO_FLAGS, "7.0.0", "Execute a read-only Lua script server side", EVAL_COMPLEXITY, (c, argv) => evalGeneric(c, argv, true, true)),
  scriptCommand("fcall", EVAL_FLAGS, "7.0.0", "Invoke a function", FCALL_COMPLEXITY, (c, argv) => fcallGeneric(c, argv, false)),
  scriptCommand("fcall_ro", EVAL_RO_FLAGS, "7.0.0", "Invoke a read-only function", FCALL_COMPLEXITY, (c, argv) => fcallGeneric(c, argv, true)),
  {
    name: "script",
    arity: -2,
    group: "scripting",
    since: "2.6.0",
    summary: "A container for Lua scripts management commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      { name: "exists", arity: -3, flags: ["noscript"], group: "scripting", since: "2.6.0", summary: "Check existence of scripts in the script cache.", complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).", tips: ["request_policy:all_shards", "response_policy:agg_logical_and"], handler: scriptExists },
      { name: "flush", arity: -2, flags: ["noscript"], group: "scripting", since: "2.6.0", summary: "Remove all the scripts from the script cache.", complexity: "O(N) with N being the number of scripts in cache", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], handler: scriptFlush },
      { name: "help", arity: 2, flags: ["loading", "stale"], group: "scripting", since: "5.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: scriptHelp },
      { name: "kill", arity: 2, flags: ["noscript", "allow_busy"], group: "scripting", since: "2.6.0", summary: "Kill the script currently in execution.", complexity: "O(1)", tips: ["request_policy:all_shards", "response_policy:one_succeeded"], handler: scriptKill },
      { name: "load", arity: 3, flags: ["noscript", "stale"], group: "scripting", since: "2.6.0", summary: "Load the specified Lua script into the script cache.", complexity: "O(N) with N being the length in bytes of the script body.", tips: ["request_policy:all_nodes", "response_policy:all_succeeded"], handler: scriptLoad },
    ],
  },
);
