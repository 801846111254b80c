// Roberto Ierusalimschy's struct library (as Redis ships it): struct.pack, struct.unpack and
// struct.size with C type sizes of x86-64 Linux (long = 8 bytes) and native little-endian order.

import { lua, lauxlib, pushBytes, setFunctions, type LuaState } from "../lua.ts";

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const BIG = 0;
const LITTLE = 1;

interface Header {
  endian: number;
  align: number;
}

class Format {
  pos = 0;
  constructor(readonly L: LuaState, readonly fmt: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.fmt.length;
  }

  next(): number {
    return this.fmt[this.pos++];
  }

  /** getnum(): an optional decimal count after an option. */
  num(df: number): number {
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    if (this.done || !isDigit(this.fmt[this.pos])) return df;
    let a = 0;
    do {
      const d = this.fmt[this.pos++] - 0x30;
      if (a > 214748364 || a * 10 > 2147483647 - d) lauxlib.luaL_error(this.L, "integral size overflow");
      a = a * 10 + d;
    } while (!this.done && isDigit(this.fmt[this.pos]));
    return a;
  }

  /** optsize(): the size of one option (reading its count, if any). */
  size(opt: number): number {
    switch (String.fromCharCode(opt)) {
      case "B":
      case "b":
        return 1;
      case "H":
      case "h":
        return 2;
      case "L":
      case "l":
      case "T":
      case "d":
        return 8;
      case "f":
        return 4;
      case "x":
        return 1;
      case "c":
        return this.num(1);
      case "i":
      case "I": {
        const sz = this.num(4);
        if (sz > MAXINTSIZE) lauxlib.luaL_error(this.L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
        return sz;
      }
      default:
        return 0;
    }
  }

  /** controloptions(): endianness, alignment and spaces. */
  control(opt: number, h: Header): void {
    switch (String.fromCharCode(opt)) {
      case " ":
        return;
      case ">":
        h.endian = BIG;
        return;
      case "<":
        h.endian = LITTLE;
        return;
      case "!": {
        const a = this.num(MAXALIGN);
        if (a <= 0 || (a & (a - 1)) !== 0) lauxlib.luaL_error(this.L, `alignment ${a} is not a power of 2`);
        h.align = a;
        return;
      }
      default:
        lauxlib.luaL_argerror(this.L, 1, `invalid format option '${String.fromCharCode(opt)}'`);
    }
  }
}

function toAlign(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === 0x63) return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

const isIntOption = (opt: number) => "bBhHlLTiI".includes(String.fromCharCode(opt));

function pack(L: LuaState): number {
  const f = new Format(L, lauxlib.luaL_checklstring(L, 1));
  const h: Header = { endian: LITTLE, align: 1 };
  const out: number[] = [];
  let arg = 2;
  while (!f.done) {
    const opt = f.next();
    let size = f.size(opt);
    const pad = toAlign(out.length, h, opt, size);
    for (let i = 0; i < pad; i++) out.push(0);
    if (isIntOption(opt)) {
      const n = lauxlib.luaL_checknumber(L, arg++);
      let value = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      const bytes: number[] = [];
      for (let i = 0; i < size; i++) {
        bytes.push(Number(value & 0xffn));
        value >>= 8n;
      }
      out.push(...(h.endian === LITTLE ? bytes : bytes.reverse()));
    } else if (opt === 0x78) {
      out.push(0);
    } else if (opt === 0x66 || opt === 0x64) {
      const b = new Uint8Array(size);
      const v = new DataView(b.buffer);
      const n = lauxlib.luaL_checknumber(L, arg++);
      if (opt === 0x66) v.setFloat32(0, n, h.endian === LITTLE);
      else v.setFloat64(0, n, h.endian === LITTLE);
      out.push(...b);
    } else if (opt === 0x63 || opt === 0x73) {
      const s = lauxlib.luaL_checklstring(L, arg++);
      if (size === 0) size = s.length;
      if (s.length < size) lauxlib.luaL_argerror(L, arg, "string too short");
      out.push(...s.subarray(0, size));
      if (opt === 0x73) {
        out.push(0);
        size++;
      }
    } else {
      f.control(opt, h);
    }
  }
  pushBytes(L, Uint8Array.from(out));
  return 1;
}

function unpack(L: LuaState): number {
  const f = new Format(L, lauxlib.luaL_checklstring(L, 1));
  const data = lauxlib.luaL_checklstring(L, 2);
  const start = lauxlib.luaL_optinteger(L, 3, 1);
  if (start <= 0) lauxlib.luaL_argerror(L, 3, "offset must be 1 or greater");
  let pos = start - 1;
  let n = 0;
  const h: Header = { endian: LITTLE, align: 1 };
  while (!f.done) {
    const opt = f.next();
    let size = f.size(opt);
    pos += toAlign(pos, h, opt, size);
    if (size > data.length || pos > data.length - size) lauxlib.luaL_argerror(L, 2, "data string too short");
    lauxlib.luaL_checkstack(L, 2, "too many results");
    if (isIntOption(opt)) {
      let v = 0n;
      for (let i = 0; i < size; i++) {
        const b = data[h.endian === BIG ? pos + i : pos + size - 1 - i];
        v = (v << 8n) | BigInt(b);
      }
      if (opt >= 0x61 && size > 0) v = BigInt.asIntN(Math.min(size * 8, 64), v);
      lua.lua_pushnumber(L, Number(v));
      n++;
    } else if (opt === 0x66 || opt === 0x64) {
      const v = new DataView(data.buffer, data.byteOffset + pos, size);
      lua.lua_pushnumber(L, opt === 0x66 ? v.getFloat32(0, h.endian === LITTLE) : v.getFloat64(0, h.endian === LITTLE));
      n++;
    } else if (opt === 0x63) {
      if (size === 0) {
        if (n === 0 || !lua.lua_isnumber(L, -1)) lauxlib.luaL_error(L, "format 'c0' needs a previous size");
        size = lua.lua_tonumber(L, -1);
        lua.lua_pop(L, 1);
        n--;
        if (size > data.length || pos > data.length - size) lauxlib.luaL_argerror(L, 2, "data string too short");
      }
      pushBytes(L, data.subarray(pos, pos + size));
      n++;
    } else if (opt === 0x73) {
      const e = data.indexOf(0, pos);
      if (e < 0) lauxlib.luaL_error(L, "unfinished string in data");
      size = e - pos + 1;
      pushBytes(L, data.subarray(pos, e));
      n++;
    } else if (opt !== 0x78) {
      f.control(opt, h);
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return n + 1;
}

function size(L: LuaState): number {
  const f = new Format(L, lauxlib.luaL_checklstring(L, 1));
  const h: Header = { endian: LITTLE, align: 1 };
  let pos = 0;
  while (!f.done) {
    const opt = f.next();
    const sz = f.size(opt);
    pos += toAlign(pos, h, opt, sz);
    if (opt === 0x73) lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size");
    else if (opt === 0x63 && sz === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size");
    const isAlnum = (opt >= 0x30 && opt <= 0x39) || ((opt | 0x20) >= 0x61 && (opt | 0x20) <= 0x7a);
    if (!isAlnum) f.control(opt, h);
    pos += sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

export function openStruct(L: LuaState): number {
  lua.lua_newtable(L);
  setFunctions(L, { pack, unpack, size });
  return 1;
}
