// Script flags (script.c scripts_flags_def): declared by "#!lua flags=..." on EVAL scripts and
// by redis.register_function's flags, they replace what the command flags would imply.

export const NO_WRITES = 1;
export const ALLOW_OOM = 2;
export const ALLOW_STALE = 4;
export const NO_CLUSTER = 8;
export const ALLOW_CROSS_SLOT = 16;
/** An EVAL script without a shebang: Redis 6 semantics (flags come from the commands it runs). */
export const EVAL_COMPAT_MODE = 32;

/** Names in Redis's order (FUNCTION LIST prints them in this order). */
export const FLAG_NAMES: [number, string][] = [
  [NO_WRITES, "no-writes"],
  [ALLOW_OOM, "allow-oom"],
  [ALLOW_STALE, "allow-stale"],
  [NO_CLUSTER, "no-cluster"],
  [ALLOW_CROSS_SLOT, "allow-cross-slot-keys"],
];

export function flagByName(name: string, nocase: boolean): number {
  const want = nocase ? name.toLowerCase() : name;
  for (const [flag, n] of FLAG_NAMES) if (n === want) return flag;
  return 0;
}
