// The slow log (Redis's slowlog.c): commands that ran for at least slowlog-log-slower-than
// microseconds, newest first, capped at slowlog-max-len entries. Also the argument
// redaction shared with MONITOR, so passwords never show up in either.

import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";
import { bytes, is, lower } from "../util/bytes.ts";

const MAX_ARGC = 32;
const MAX_STRING = 128;

export const REDACTED = bytes("(redacted)");

export interface SlowlogEntry {
  id: number;
  time: number;
  usec: number;
  args: Uint8Array[];
  peer: string;
  name: Uint8Array;
}

let entries: SlowlogEntry[] = [];
let nextId = 0;

/** Config names whose values CONFIG SET must not leak (Redis's SENSITIVE_CONFIG). */
const SENSITIVE_CONFIGS = new Set(["masterauth", "masteruser", "requirepass"]);

/**
 * Positions of argv that carry secrets, as the commands themselves mark them in Redis
 * (redactClientCommandArgument): AUTH, HELLO AUTH, MIGRATE AUTH/AUTH2, ACL SETUSER,
 * CONFIG SET of sensitive parameters.
 */
export function redactedPositions(cmd: Command, argv: Uint8Array[]): number[] | null {
  const name = cmd.parent ? cmd.parent.name : cmd.name;
  switch (name) {
    case "auth":
      return argv.length <= 3 ? range(1, argv.length) : null;
    case "hello": {
      const out: number[] = [];
      for (let j = 2; j < argv.length; j++) {
        const more = argv.length - 1 - j;
        if (is(argv[j], "auth") && more >= 2) {
          out.push(j + 1, j + 2);
          j += 2;
        } else if (is(argv[j], "setname") && more >= 1) j++;
      }
      return out.length > 0 ? out : null;
    }
    case "migrate": {
      const out: number[] = [];
      for (let j = 6; j < argv.length; j++) {
        if (is(argv[j], "auth") && j + 1 < argv.length) out.push(++j);
        else if (is(argv[j], "auth2") && j + 2 < argv.length) {
          out.push(j + 1, j + 2);
          j += 2;
        } else if (is(argv[j], "keys")) break;
      }
      return out.length > 0 ? out : null;
    }
    case "acl":
      return cmd.name === "setuser" ? range(2, argv.length) : null;
    case "config": {
      if (cmd.name !== "set") return null;
      const out: number[] = [];
      for (let j = 2; j + 1 < argv.length; j += 2) if (SENSITIVE_CONFIGS.has(lower(argv[j]))) out.push(j + 1);
      return out.length > 0 ? out : null;
    }
    default:
      return null;
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** slowlogPushEntryIfNeeded, with the thresholds already checked by the caller. */
export function slowlogPush(c: Client, cmd: Command, argv: Uint8Array[], usec: number, maxLen: number): void {
  const redact = redactedPositions(cmd, argv);
  const argc = Math.min(argv.length, MAX_ARGC);
  const args: Uint8Array[] = new Array(argc);
  for (let j = 0; j < argc; j++) {
    if (argc !== argv.length && j === argc - 1) {
      args[j] = bytes(`... (${argv.length - argc + 1} more arguments)`);
    } else if (redact !== null && redact.includes(j)) {
      args[j] = REDACTED;
    } else if (argv[j].length > MAX_STRING) {
      const head = argv[j].subarray(0, MAX_STRING);
      const tail = bytes(`... (${argv[j].length - MAX_STRING} more bytes)`);
      const a = new Uint8Array(head.length + tail.length);
      a.set(head);
      a.set(tail, head.length);
      args[j] = a;
    } else {
      args[j] = argv[j].slice();
    }
  }
  entries.unshift({
    id: nextId++,
    time: Math.floor(Date.now() / 1000),
    usec,
    args,
    peer: c.addr,
    name: c.name ?? new Uint8Array(0),
  });
  if (entries.length > maxLen) entries.length = maxLen;
}

export function slowlogEntries(): readonly SlowlogEntry[] {
  return entries;
}

export function slowlogReset(): void {
  entries = [];
}

