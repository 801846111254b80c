// FUNCTION: the library registry of Redis 7 functions. Scripting (and so FUNCTION LOAD)
// arrives with the Lua issue; until then the registry is always empty, and these
// subcommands answer exactly as Redis does for an empty registry.

import { register } from "./table.ts";
import type { Client } from "../server/client.ts";
import { is } from "../util/bytes.ts";
import { SYNTAX } from "../server/errors.ts";

function flush(c: Client, argv: Uint8Array[]): void {
  if (argv.length > 3) return c.out.error(SYNTAX);
  if (argv.length === 3 && !is(argv[2], "async") && !is(argv[2], "sync")) return c.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  c.out.ok();
}

function list(c: Client, argv: Uint8Array[]): void {
  for (let i = 2; i < argv.length; i++) {
    if (is(argv[i], "withcode")) continue;
    if (is(argv[i], "libraryname") && i + 1 < argv.length) {
      i++;
      continue;
    }
    return c.out.error(`ERR Unknown argument ${new TextDecoder().decode(argv[i])}`);
  }
  c.out.array(0);
}

function help(c: Client): void {
  c.out.strs([
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries.",
    "HELP",
    "    Prints this help.",
  ]);
}

register({
  name: "function",
  arity: -2,
  group: "scripting",
  since: "7.0.0",
  summary: "A container for function commands",
  complexity: "Depends on subcommand.",
  subcommands: [
    { name: "flush", arity: -2, flags: ["write", "noscript"], group: "scripting", since: "7.0.0", summary: "Deleting all functions", complexity: "O(N) where N is the number of functions deleted", tips: ["request_policy:all_shards", "response_policy:all_succeeded"], handler: flush },
    { name: "list", arity: -2, flags: ["noscript"], group: "scripting", since: "7.0.0", summary: "List information about all the functions", complexity: "O(N) where N is the number of functions", tips: ["nondeterministic_output_order"], handler: list },
    { name: "help", arity: 2, flags: ["loading", "stale"], group: "scripting", since: "7.0.0", summary: "Show helpful text about the different subcommands", complexity: "O(1)", handler: help },
  ],
});
