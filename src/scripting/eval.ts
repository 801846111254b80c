// The EVAL script cache (eval.c): scripts are compiled once and kept by the SHA1 of their body;
// a "#!lua flags=..." first line declares the script's flags.

import { EVAL_COMPAT_MODE, flagByName } from "./flags.ts";
import { sha1hex } from "./sha1.ts";
import type { CachedScript, ScriptingState } from "./state.ts";
import { splitConfigLine } from "../config/config.ts";
import { str } from "../util/bytes.ts";

/** evalExtractShebangFlags(): the script's flags and the length of its shebang line. */
export function shebangFlags(body: Uint8Array): { flags: number; length: number } | string {
  if (body[0] !== 0x23 || body[1] !== 0x21) return { flags: EVAL_COMPAT_MODE, length: 0 };
  const nl = body.indexOf(10);
  if (nl < 0) return "Invalid script shebang";
  const parts = splitConfigLine(str(body.subarray(0, nl)));
  if (parts === null || parts.length === 0) return "Invalid engine in script shebang";
  if (parts[0] !== "#!lua") return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return `Unknown lua shebang option: ${part}`;
    const list = part.slice(6);
    if (list === "") continue;
    for (const name of list.split(",")) {
      const flag = flagByName(name, false);
      if (flag === 0) return `Unexpected flag in script shebang: ${name}`;
      flags |= flag;
    }
  }
  return { flags, length: nl };
}

/**
 * luaCreateFunction(): compile and cache a script (or find it cached). Returns its SHA1 and
 * entry, or the error to reply with.
 */
export function cacheScript(state: ScriptingState, body: Uint8Array): { sha: string; script: CachedScript } | string {
  const sha = sha1hex(body);
  const cached = state.scripts.get(sha);
  if (cached !== undefined) return { sha, script: cached };
  const shebang = shebangFlags(body);
  if (typeof shebang === "string") return `ERR ${shebang}`;
  // The shebang line is skipped but its newline kept, so line numbers stay right.
  const ref = state.evalEngine.compile(body.subarray(shebang.length), "@user_script");
  if (typeof ref === "string") return `ERR Error compiling script (new function): ${ref}`;
  const script: CachedScript = { body: body.slice(), flags: shebang.flags, ref };
  state.scripts.set(sha, script);
  state.scriptsBytes += body.length + 40;
  return { sha, script };
}
