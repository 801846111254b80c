// Value conversions between Redis replies and Lua, as Redis 7.0's script_lua.c does them:
//  - a command's RESP2/RESP3 reply becomes a Lua value (redisProtocolToLuaType);
//  - a script's Lua return value becomes the reply to the calling client (luaReplyToRedisReply).

import { lua, pushBytes, type LuaState } from "./lua.ts";
import type { ReplyWriter } from "../resp/writer.ts";
import { str } from "../util/bytes.ts";

/** Build the error table redis.pcall returns: {err = "<CODE> <message>"}. */
export function pushErrorTable(L: LuaState, message: string, ignoreStats = false): void {
  let code = "ERR";
  let msg = message;
  if (message.startsWith("-")) {
    const sp = message.indexOf(" ");
    if (sp < 0) msg = message.slice(1);
    else {
      code = message.slice(1, sp);
      msg = message.slice(sp + 1);
    }
  }
  lua.lua_newtable(L);
  lua.lua_pushstring(L, `${code} ${msg.replace(/^[\r\n]+|[\r\n]+$/g, "")}`);
  lua.lua_setfield(L, -2, "err");
  if (ignoreStats) {
    lua.lua_pushboolean(L, true);
    lua.lua_setfield(L, -2, "ignore_error_stats_update");
  }
}

/** Reads one RESP reply from a byte buffer. */
class ReplyReader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  line(): Uint8Array {
    const start = this.pos;
    while (this.b[this.pos] !== 13) this.pos++;
    const s = this.b.subarray(start, this.pos);
    this.pos += 2;
    return s;
  }

  num(): number {
    return Number(str(this.line()));
  }
}

/**
 * Push the Lua form of the reply starting at r.pos (null = parse and discard, for RESP3
 * attributes). Integers become numbers, bulk strings strings, nil false, status {ok=},
 * errors {err=}, and the RESP3 types tables tagged map / set / double / big_number /
 * verbatim_string.
 */
function pushReply(L: LuaState | null, r: ReplyReader): void {
  const type = r.b[r.pos++];
  switch (type) {
    case 0x3a: {
      const n = r.num();
      if (L) lua.lua_pushnumber(L, n);
      return;
    }
    case 0x24:
    case 0x3d: {
      const n = r.num();
      if (n < 0) {
        if (L) lua.lua_pushboolean(L, false);
        return;
      }
      const body = r.b.subarray(r.pos, r.pos + n);
      r.pos += n + 2;
      if (!L) return;
      if (type === 0x24) return pushBytes(L, body);
      lua.lua_newtable(L);
      lua.lua_newtable(L);
      pushBytes(L, body.subarray(4));
      lua.lua_setfield(L, -2, "string");
      pushBytes(L, body.subarray(0, 3));
      lua.lua_setfield(L, -2, "format");
      lua.lua_setfield(L, -2, "verbatim_string");
      return;
    }
    case 0x2b:
    case 0x28: {
      const s = r.line();
      if (!L) return;
      lua.lua_newtable(L);
      pushBytes(L, s);
      lua.lua_setfield(L, -2, type === 0x2b ? "ok" : "big_number");
      return;
    }
    case 0x2d: {
      const s = r.line();
      if (L) pushErrorTable(L, "-" + str(s), true);
      return;
    }
    case 0x2c: {
      const s = str(r.line());
      if (!L) return;
      lua.lua_newtable(L);
      lua.lua_pushnumber(L, s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));
      lua.lua_setfield(L, -2, "double");
      return;
    }
    case 0x23: {
      const v = r.line()[0] === 0x74;
      if (L) lua.lua_pushboolean(L, v);
      return;
    }
    case 0x5f:
      r.line();
      if (L) lua.lua_pushnil(L);
      return;
    case 0x2a:
    case 0x3e: {
      const n = r.num();
      if (n < 0) {
        if (L) lua.lua_pushboolean(L, false);
        return;
      }
      if (L) {
        lua.lua_checkstack(L, 3);
        lua.lua_createtable(L, n, 0);
      }
      for (let i = 1; i <= n; i++) {
        pushReply(L, r);
        if (L) lua.lua_rawseti(L, -2, i);
      }
      return;
    }
    case 0x25:
    case 0x7e: {
      const n = r.num();
      if (L) {
        lua.lua_checkstack(L, 4);
        lua.lua_newtable(L);
        lua.lua_newtable(L);
      }
      for (let i = 0; i < n; i++) {
        pushReply(L, r);
        if (type === 0x25) pushReply(L, r);
        else if (L) lua.lua_pushboolean(L, true);
        if (L) lua.lua_settable(L, -3);
      }
      if (L) lua.lua_setfield(L, -2, type === 0x25 ? "map" : "set");
      return;
    }
    case 0x7c: {
      const n = r.num();
      for (let i = 0; i < 2 * n; i++) pushReply(null, r);
      pushReply(L, r);
      return;
    }
    default:
      throw new Error(`unexpected reply type ${String.fromCharCode(type)}`);
  }
}

/** Push the Lua value of one complete RESP reply. */
export function pushRespReply(L: LuaState, reply: Uint8Array): void {
  pushReply(L, new ReplyReader(reply));
}

// ---- Lua → reply ---------------------------------------------------------------------------

/** Nesting beyond this answers "reached lua stack limit" (Redis's lua_checkstack failing). */
const MAX_DEPTH = 1000;
const CRLF_TO_SPACES = /[\r\n]/g;
const enc = new TextEncoder();

/** Where an error reply goes: written normally, or without counting it in error stats. */
export interface ErrorSink {
  error(message: string, ignoreStats: boolean): void;
}

function rawLine(out: ReplyWriter, prefix: string, body: Uint8Array): void {
  out.raw(enc.encode(prefix));
  out.raw(body.map((ch) => (ch === 13 || ch === 10 ? 32 : ch)));
  out.raw(enc.encode("\r\n"));
}

function getField(L: LuaState, name: string): number {
  lua.lua_pushstring(L, name);
  return lua.lua_rawget(L, -2);
}

/**
 * Write the Lua value at the top of L's stack as a reply, consuming it. scriptResp is the
 * protocol the script selected with redis.setresp (it decides how booleans come out).
 */
export function writeLuaReply(L: LuaState, out: ReplyWriter, scriptResp: number, errors: ErrorSink, depth = 0): void {
  if (depth > MAX_DEPTH || !lua.lua_checkstack(L, 4)) {
    errors.error("ERR reached lua stack limit", false);
    lua.lua_pop(L, 1);
    return;
  }
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      out.bulk(lua.lua_tolstring(L, -1)!);
      break;
    case lua.LUA_TBOOLEAN:
      if (scriptResp === 2) {
        if (lua.lua_toboolean(L, -1)) out.int(1);
        else out.nil();
      } else out.bool(lua.lua_toboolean(L, -1));
      break;
    case lua.LUA_TNUMBER:
      out.int(toInteger(lua.lua_tonumber(L, -1)));
      break;
    case lua.LUA_TTABLE:
      writeTable(L, out, scriptResp, errors, depth);
      return;
    default:
      out.nil();
  }
  lua.lua_pop(L, 1);
}

/** (long long) cast of a Lua number: truncation, saturated like x86 for out-of-range values. */
function toInteger(n: number): number | bigint {
  if (Number.isNaN(n)) return -9223372036854775808n;
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t;
  if (t >= 9223372036854775807 || t < -9223372036854775808) return -9223372036854775808n;
  return BigInt(t);
}

function writeTable(L: LuaState, out: ReplyWriter, scriptResp: number, errors: ErrorSink, depth: number): void {
  if (getField(L, "err") === lua.LUA_TSTRING) {
    lua.lua_pop(L, 1);
    const info = errorInfo(L, -1);
    errors.error(info.message, info.ignoreStats);
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (getField(L, "ok") === lua.LUA_TSTRING) {
    rawLine(out, "+", lua.lua_tolstring(L, -1)!);
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (getField(L, "double") === lua.LUA_TNUMBER) {
    out.double(lua.lua_tonumber(L, -1));
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (getField(L, "big_number") === lua.LUA_TSTRING) {
    const s = lua.lua_tolstring(L, -1)!;
    if (out.proto === 3) rawLine(out, "(", s);
    else out.bulk(s.map((ch) => (ch === 13 || ch === 10 ? 32 : ch)));
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (getField(L, "verbatim_string") === lua.LUA_TTABLE) {
    if (getField(L, "format") === lua.LUA_TSTRING) {
      const format = lua.lua_tolstring(L, -1)!;
      lua.lua_pushstring(L, "string");
      if (lua.lua_rawget(L, -3) === lua.LUA_TSTRING) {
        writeVerbatim(out, lua.lua_tolstring(L, -1)!, format);
        lua.lua_pop(L, 4);
        return;
      }
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  if (getField(L, "map") === lua.LUA_TTABLE) {
    out.map(countEntries(L));
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2);
      writeLuaReply(L, out, scriptResp, errors, depth + 1);
      writeLuaReply(L, out, scriptResp, errors, depth + 1);
    }
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (getField(L, "set") === lua.LUA_TTABLE) {
    out.set(countEntries(L));
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, -1);
      writeLuaReply(L, out, scriptResp, errors, depth + 1);
    }
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  let n = 0;
  while (lua.lua_rawgeti(L, -1, n + 1) !== lua.LUA_TNIL) {
    lua.lua_pop(L, 1);
    n++;
  }
  lua.lua_pop(L, 1);
  out.array(n);
  for (let j = 1; j <= n; j++) {
    lua.lua_rawgeti(L, -1, j);
    writeLuaReply(L, out, scriptResp, errors, depth + 1);
  }
  lua.lua_pop(L, 1);
}

function countEntries(L: LuaState): number {
  let n = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    n++;
  }
  return n;
}

function writeVerbatim(out: ReplyWriter, s: Uint8Array, format: Uint8Array): void {
  if (out.proto !== 3) return out.bulk(s);
  out.raw(enc.encode(`=${s.length + 4}\r\n`));
  out.raw(format.subarray(0, 3));
  out.raw(enc.encode(":"));
  out.raw(s);
  out.raw(enc.encode("\r\n"));
}

export interface ErrorInfo {
  message: string;
  source: string | null;
  line: string | null;
  ignoreStats: boolean;
}

/** luaExtractErrorInformation(): the fields of an error value (a string or an err table). */
export function errorInfo(L: LuaState, idx: number): ErrorInfo {
  const info: ErrorInfo = { message: "", source: null, line: null, ignoreStats: false };
  const t = lua.lua_absindex(L, idx);
  if (lua.lua_type(L, t) === lua.LUA_TSTRING || lua.lua_type(L, t) === lua.LUA_TNUMBER) {
    info.message = "ERR " + str(lua.lua_tolstring(L, t)!);
    return info;
  }
  if (lua.lua_type(L, t) !== lua.LUA_TTABLE) return info;
  if (lua.lua_getfield(L, t, "err") !== lua.LUA_TNIL && lua.lua_isstring(L, -1)) info.message = str(lua.lua_tolstring(L, -1)!);
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, t, "source") !== lua.LUA_TNIL && lua.lua_isstring(L, -1)) info.source = str(lua.lua_tolstring(L, -1)!);
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, t, "line") !== lua.LUA_TNIL && lua.lua_isstring(L, -1)) info.line = str(lua.lua_tolstring(L, -1)!);
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, t, "ignore_error_stats_update") === lua.LUA_TBOOLEAN) info.ignoreStats = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  return info;
}
