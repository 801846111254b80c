// lua-cmsgpack 0.4.0 (as Redis ships it, built against Lua 5.1): MessagePack pack / unpack /
// unpack_one / unpack_limit with the same encodings, nesting limit and error messages.

import { lua, lauxlib, pushBytes, setFunctions, type LuaState } from "../lua.ts";

/** Tables nested deeper than this are encoded as nil. */
const MAX_NESTING = 16;

class Out {
  buf = new Uint8Array(64);
  view = new DataView(this.buf.buffer);
  len = 0;

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  u16(tag: number, n: number): void {
    this.ensure(3);
    this.buf[this.len++] = tag;
    this.view.setUint16(this.len, n);
    this.len += 2;
  }

  u32(tag: number, n: number): void {
    this.ensure(5);
    this.buf[this.len++] = tag;
    this.view.setUint32(this.len, n);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

function encodeBytes(out: Out, s: Uint8Array): void {
  const n = s.length;
  if (n < 32) out.byte(0xa0 | n);
  else if (n <= 0xff) {
    out.byte(0xd9);
    out.byte(n);
  } else if (n <= 0xffff) out.u16(0xda, n);
  else out.u32(0xdb, n);
  out.bytes(s);
}

function encodeInt(out: Out, n: number): void {
  if (n >= 0) {
    if (n <= 127) out.byte(n);
    else if (n <= 0xff) {
      out.byte(0xcc);
      out.byte(n);
    } else if (n <= 0xffff) out.u16(0xcd, n);
    else if (n <= 0xffffffff) out.u32(0xce, n);
    else {
      out.ensure(9);
      out.buf[out.len++] = 0xcf;
      out.view.setBigUint64(out.len, BigInt(n));
      out.len += 8;
    }
  } else if (n >= -32) out.byte(n & 0xff);
  else if (n >= -128) {
    out.byte(0xd0);
    out.byte(n & 0xff);
  } else if (n >= -32768) out.u16(0xd1, n & 0xffff);
  else if (n >= -2147483648) out.u32(0xd2, n >>> 0);
  else {
    out.ensure(9);
    out.buf[out.len++] = 0xd3;
    out.view.setBigInt64(out.len, BigInt(n));
    out.len += 8;
  }
}

function encodeNumber(out: Out, n: number): void {
  // IS_INT64_EQUIVALENT: integral and inside int64's range.
  if (Number.isFinite(n) && Math.trunc(n) === n && n >= -9223372036854775808 && n < 9223372036854775808) return encodeInt(out, n);
  out.ensure(9);
  if (Math.fround(n) === n || Number.isNaN(n)) {
    out.buf[out.len++] = 0xca;
    out.view.setFloat32(out.len, n);
    out.len += 4;
  } else {
    out.buf[out.len++] = 0xcb;
    out.view.setFloat64(out.len, n);
    out.len += 8;
  }
}

function collectionHeader(out: Out, n: number, fix: number, tag16: number, tag32: number): void {
  if (n <= 15) out.byte(fix | n);
  else if (n <= 65535) out.u16(tag16, n);
  else out.u32(tag32, n);
}

/** table_is_an_array(): keys are exactly 1..n. */
function isArray(L: LuaState): boolean {
  let count = 0;
  let max = 0;
  const top = lua.lua_gettop(L);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    const n = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
    if (n <= 0 || Math.trunc(n) !== n || n > 2147483647) {
      lua.lua_settop(L, top);
      return false;
    }
    if (n > max) max = n;
    count++;
  }
  lua.lua_settop(L, top);
  return max === count;
}

/** Encode the value at the top of the stack and pop it. */
function encodeValue(L: LuaState, out: Out, level: number): void {
  let t = lua.lua_type(L, -1);
  if (t === lua.LUA_TTABLE && level === MAX_NESTING) t = lua.LUA_TNIL;
  switch (t) {
    case lua.LUA_TSTRING:
      encodeBytes(out, lua.lua_tolstring(L, -1)!);
      break;
    case lua.LUA_TBOOLEAN:
      out.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
      break;
    case lua.LUA_TNUMBER:
      encodeNumber(out, lua.lua_tonumber(L, -1));
      break;
    case lua.LUA_TTABLE:
      lauxlib.luaL_checkstack(L, 3, "in function mp_encode_lua_table");
      if (isArray(L)) {
        const len = lua.lua_rawlen(L, -1);
        collectionHeader(out, len, 0x90, 0xdc, 0xdd);
        for (let j = 1; j <= len; j++) {
          lua.lua_pushnumber(L, j);
          lua.lua_gettable(L, -2);
          encodeValue(L, out, level + 1);
        }
      } else {
        let len = 0;
        lua.lua_pushnil(L);
        while (lua.lua_next(L, -2)) {
          lua.lua_pop(L, 1);
          len++;
        }
        collectionHeader(out, len, 0x80, 0xde, 0xdf);
        lua.lua_pushnil(L);
        while (lua.lua_next(L, -2)) {
          lua.lua_pushvalue(L, -2);
          encodeValue(L, out, level + 1);
          encodeValue(L, out, level + 1);
        }
      }
      break;
    default:
      out.byte(0xc0);
  }
  lua.lua_pop(L, 1);
}

class MissingBytes extends Error {}
class BadFormat extends Error {}

class Cursor {
  pos: number;
  readonly view: DataView;

  constructor(readonly data: Uint8Array, pos: number) {
    this.pos = pos;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get left(): number {
    return this.data.length - this.pos;
  }

  need(n: number): void {
    if (this.left < n) throw new MissingBytes();
  }
}

function decodeArray(L: LuaState, c: Cursor, len: number): void {
  lua.lua_newtable(L);
  lauxlib.luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (let i = 1; i <= len; i++) {
    lua.lua_pushnumber(L, i);
    decodeValue(L, c);
    lua.lua_settable(L, -3);
  }
}

function decodeMap(L: LuaState, c: Cursor, len: number): void {
  lua.lua_newtable(L);
  for (let i = 0; i < len; i++) {
    decodeValue(L, c);
    decodeValue(L, c);
    lua.lua_settable(L, -3);
  }
}

function decodeString(L: LuaState, c: Cursor, header: number, len: number): void {
  c.need(header + len);
  pushBytes(L, c.data.subarray(c.pos + header, c.pos + header + len));
  c.pos += header + len;
}

/** mp_decode_to_lua_type(): push one decoded value. */
function decodeValue(L: LuaState, c: Cursor): void {
  c.need(1);
  lauxlib.luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  const v = c.view;
  const p = c.pos;
  const tag = c.data[p];
  switch (tag) {
    case 0xcc:
      c.need(2);
      lua.lua_pushnumber(L, v.getUint8(p + 1));
      c.pos += 2;
      return;
    case 0xd0:
      c.need(2);
      lua.lua_pushnumber(L, v.getInt8(p + 1));
      c.pos += 2;
      return;
    case 0xcd:
      c.need(3);
      lua.lua_pushnumber(L, v.getUint16(p + 1));
      c.pos += 3;
      return;
    case 0xd1:
      c.need(3);
      lua.lua_pushnumber(L, v.getInt16(p + 1));
      c.pos += 3;
      return;
    case 0xce:
      c.need(5);
      lua.lua_pushnumber(L, v.getUint32(p + 1));
      c.pos += 5;
      return;
    case 0xd2:
      c.need(5);
      lua.lua_pushnumber(L, v.getInt32(p + 1));
      c.pos += 5;
      return;
    case 0xcf:
      c.need(9);
      lua.lua_pushnumber(L, Number(v.getBigUint64(p + 1)));
      c.pos += 9;
      return;
    case 0xd3:
      c.need(9);
      lua.lua_pushnumber(L, Number(v.getBigInt64(p + 1)));
      c.pos += 9;
      return;
    case 0xc0:
      lua.lua_pushnil(L);
      c.pos += 1;
      return;
    case 0xc3:
    case 0xc2:
      lua.lua_pushboolean(L, tag === 0xc3);
      c.pos += 1;
      return;
    case 0xca:
      c.need(5);
      lua.lua_pushnumber(L, v.getFloat32(p + 1));
      c.pos += 5;
      return;
    case 0xcb:
      c.need(9);
      lua.lua_pushnumber(L, v.getFloat64(p + 1));
      c.pos += 9;
      return;
    case 0xd9:
      c.need(2);
      return decodeString(L, c, 2, v.getUint8(p + 1));
    case 0xda:
      c.need(3);
      return decodeString(L, c, 3, v.getUint16(p + 1));
    case 0xdb:
      c.need(5);
      return decodeString(L, c, 5, v.getUint32(p + 1));
    case 0xdc:
      c.need(3);
      c.pos += 3;
      return decodeArray(L, c, v.getUint16(p + 1));
    case 0xdd:
      c.need(5);
      c.pos += 5;
      return decodeArray(L, c, v.getUint32(p + 1));
    case 0xde:
      c.need(3);
      c.pos += 3;
      return decodeMap(L, c, v.getUint16(p + 1));
    case 0xdf:
      c.need(5);
      c.pos += 5;
      return decodeMap(L, c, v.getUint32(p + 1));
  }
  if ((tag & 0x80) === 0) {
    lua.lua_pushnumber(L, tag);
    c.pos += 1;
  } else if ((tag & 0xe0) === 0xe0) {
    lua.lua_pushnumber(L, tag - 256);
    c.pos += 1;
  } else if ((tag & 0xe0) === 0xa0) {
    decodeString(L, c, 1, tag & 0x1f);
  } else if ((tag & 0xf0) === 0x90) {
    c.pos += 1;
    decodeArray(L, c, tag & 0xf);
  } else if ((tag & 0xf0) === 0x80) {
    c.pos += 1;
    decodeMap(L, c, tag & 0xf);
  } else {
    throw new BadFormat();
  }
}

/** mp_unpack_full(): decode up to limit objects from offset (0, 0 = all, no offset result). */
function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = lauxlib.luaL_checklstring(L, 1);
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    return lauxlib.luaL_error(L, `Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  }
  if (offset > s.length) return lauxlib.luaL_error(L, `Start offset ${offset} greater than input length ${s.length}.`);
  if (decodeAll) limit = Number.MAX_SAFE_INTEGER;
  const c = new Cursor(s, offset);
  let count = 0;
  try {
    for (; c.left > 0 && count < limit; count++) decodeValue(L, c);
  } catch (e) {
    if (e instanceof MissingBytes) return lauxlib.luaL_error(L, "Missing bytes in input.");
    if (e instanceof BadFormat) return lauxlib.luaL_error(L, "Bad data format in input.");
    throw e;
  }
  if (!decodeAll) {
    lua.lua_pushnumber(L, c.left === 0 ? -1 : c.pos);
    lua.lua_insert(L, 2);
    count++;
  }
  return count;
}

export function openCmsgpack(L: LuaState): number {
  lua.lua_newtable(L);
  setFunctions(L, {
    pack(L) {
      const nargs = lua.lua_gettop(L);
      if (nargs === 0) return lauxlib.luaL_argerror(L, 0, "MessagePack pack needs input.");
      const out = new Out();
      for (let i = 1; i <= nargs; i++) {
        lua.lua_pushvalue(L, i);
        encodeValue(L, out, 0);
      }
      pushBytes(L, out.buf.subarray(0, out.len));
      return 1;
    },
    unpack: (L) => unpackFull(L, 0, 0),
    unpack_one(L) {
      const offset = lauxlib.luaL_optinteger(L, 2, 0);
      lua.lua_settop(L, 1);
      return unpackFull(L, 1, offset);
    },
    unpack_limit(L) {
      const limit = lauxlib.luaL_checkinteger(L, 2);
      const offset = lauxlib.luaL_optinteger(L, 3, 0);
      lua.lua_settop(L, 1);
      return unpackFull(L, limit, offset);
    },
  });
  for (const [k, v] of [
    ["_NAME", "cmsgpack"],
    ["_VERSION", "lua-cmsgpack 0.4.0"],
    ["_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"],
    ["_DESCRIPTION", "MessagePack C implementation for Lua"],
  ]) {
    lua.lua_pushstring(L, v);
    lua.lua_setfield(L, -2, k);
  }
  return 1;
}
