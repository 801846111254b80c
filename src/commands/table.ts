// The command table: every command registers here with Redis's metadata. The same entries
// drive dispatch (arity, flags), key routing (key positions) and the COMMAND command.

import type { Client } from "../server/client.ts";

export type Handler = (c: Client, argv: Uint8Array[]) => void;

export interface CommandSpec {
  /** Lower-case name; subcommands use their own word ("get" under "config"). */
  name: string;
  /** Redis arity: n = exactly n args (including the name), -n = at least n. */
  arity: number;
  /** Redis command flags: write, readonly, denyoom, admin, pubsub, noscript, blocking,
   *  loading, stale, skip_monitor, skip_slowlog, fast, no_auth, may_replicate, sentinel,
   *  only_sentinel, no_mandatory_keys, no_propagate, allow_busy, no_multi, movablekeys. */
  flags?: string[];
  /** Key positions as Redis's legacy (first, last, step); 0,0,0 = no keys. last -1 = last arg. */
  keys?: [number, number, number];
  /** Key positions for commands whose keys move (numkeys, STREAMS ...). */
  getKeys?: (argv: Uint8Array[]) => number[];
  /** Redis command group for COMMAND DOCS ("string", "generic", "server", ...). */
  group: string;
  since?: string;
  summary?: string;
  complexity?: string;
  /** ACL categories without the '@' (COMMAND INFO shows them). */
  acl?: string[];
  /** Command tips (COMMAND INFO): "nondeterministic_output", "request_policy:all_shards", ... */
  tips?: string[];
  handler?: Handler;
  subcommands?: CommandSpec[];
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
}

export interface Command extends CommandStats {
  name: string;
  /** The name it is registered under (differs from name after rename-command). */
  tableName: string;
  /** "config|get" for subcommands, else name. */
  fullName: string;
  arity: number;
  flags: Set<string>;
  first: number;
  last: number;
  step: number;
  getKeys: ((argv: Uint8Array[]) => number[]) | null;
  group: string;
  since: string;
  summary: string;
  complexity: string;
  acl: string[];
  tips: string[];
  handler: Handler | null;
  parent: Command | null;
  subcommands: Map<string, Command> | null;
  /** Cached flag checks for the hot path. */
  isWrite: boolean;
  isReadonly: boolean;
  noAuth: boolean;
  denyOom: boolean;
  isProtected: boolean;
}

const table = new Map<string, Command>();

function build(spec: CommandSpec, parent: Command | null): Command {
  const flags = new Set(spec.flags ?? []);
  const [first, last, step] = spec.keys ?? [0, 0, 0];
  const cmd: Command = {
    name: spec.name,
    tableName: spec.name,
    fullName: parent ? `${parent.name}|${spec.name}` : spec.name,
    arity: spec.arity,
    flags,
    first,
    last,
    step,
    getKeys: spec.getKeys ?? null,
    group: spec.group,
    since: spec.since ?? "1.0.0",
    summary: spec.summary ?? "",
    complexity: spec.complexity ?? "",
    acl: spec.acl ?? defaultAcl(spec, flags),
    tips: spec.tips ?? [],
    handler: spec.handler ?? null,
    parent,
    subcommands: null,
    isWrite: flags.has("write"),
    isReadonly: flags.has("readonly"),
    noAuth: flags.has("no_auth"),
    denyOom: flags.has("denyoom"),
    isProtected: flags.has("protected"),
    calls: 0,
    usec: 0,
    rejected: 0,
    failed: 0,
  };
  if (spec.getKeys) flags.add("movablekeys");
  if (spec.subcommands) {
    cmd.subcommands = new Map();
    for (const sub of spec.subcommands) cmd.subcommands.set(sub.name, build(sub, cmd));
  }
  return cmd;
}

/** ACL categories Redis derives from flags and group. */
function defaultAcl(spec: CommandSpec, flags: Set<string>): string[] {
  const acl: string[] = [];
  if (flags.has("write")) acl.push("write");
  if (flags.has("readonly") && spec.group !== "scripting") acl.push("read");
  if (flags.has("admin")) acl.push("admin", "dangerous");
  if (flags.has("pubsub")) acl.push("pubsub");
  if (flags.has("fast")) acl.push("fast");
  else if (!flags.has("pubsub")) acl.push("slow");
  if (flags.has("blocking")) acl.push("blocking");
  const byGroup: Record<string, string> = {
    string: "string", list: "list", set: "set", sorted_set: "sortedset", hash: "hash",
    stream: "stream", hyperloglog: "hyperloglog", geo: "geo", bitmap: "bitmap",
    generic: "keyspace", connection: "connection", transactions: "transaction", scripting: "scripting",
  };
  const g = byGroup[spec.group];
  if (g) acl.push(g);
  return acl;
}

export function register(...specs: CommandSpec[]): void {
  for (const spec of specs) table.set(spec.name, build(spec, null));
}

export function lookupCommand(name: string): Command | undefined {
  return table.get(name);
}

/** Command names by a hash of their lower-cased bytes, so dispatch needs no string. */
const byHash = new Map<number, Command>();

function nameHash(b: Uint8Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < b.length; i++) {
    let ch = b[i];
    if (ch >= 65 && ch <= 90) ch |= 0x20;
    h = Math.imul(h ^ ch, 0x01000193);
  }
  return h;
}

function sameName(b: Uint8Array, name: string): boolean {
  if (b.length !== name.length) return false;
  for (let i = 0; i < b.length; i++) {
    let ch = b[i];
    if (ch >= 65 && ch <= 90) ch |= 0x20;
    if (ch !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** lookupCommand() on the raw argv[0]; renamed commands are found under their new name. */
export function lookupCommandBytes(b: Uint8Array): Command | undefined {
  const h = nameHash(b);
  const hit = byHash.get(h);
  if (hit !== undefined && sameName(b, hit.tableName)) return hit;
  let name = "";
  for (let i = 0; i < b.length; i++) {
    let ch = b[i];
    if (ch >= 65 && ch <= 90) ch |= 0x20;
    name += String.fromCharCode(ch);
  }
  const cmd = table.get(name);
  if (cmd !== undefined && hit === undefined) byHash.set(h, cmd);
  return cmd;
}

export function allCommands(): IterableIterator<Command> {
  return table.values();
}

export function commandCount(): number {
  return table.size;
}

/** Rename or disable (newName "") a command, for the rename-command directive. */
export function renameCommand(oldName: string, newName: string): boolean {
  const cmd = table.get(oldName);
  if (!cmd) return false;
  table.delete(oldName);
  byHash.clear();
  if (newName !== "") {
    cmd.tableName = newName;
    table.set(newName, cmd);
  }
  return true;
}

/**
 * Positions of the key arguments of argv for cmd (Redis's getKeysFromCommand).
 * Returns an empty array for keyless commands.
 */
export function keyPositions(cmd: Command, argv: Uint8Array[]): number[] {
  if (cmd.getKeys) return cmd.getKeys(argv);
  if (cmd.first === 0) return [];
  const last = cmd.last < 0 ? argv.length + cmd.last : cmd.last;
  const out: number[] = [];
  for (let i = cmd.first; i <= last && i < argv.length; i += cmd.step) out.push(i);
  return out;
}
