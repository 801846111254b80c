// Lua scripting and functions: EVAL/EVALSHA/SCRIPT, FUNCTION/FCALL, the redis.* API, value
// conversions, the bundled libraries, error texts and stats — compared with redis-server
// where it runs, else checked against Redis 7.0's known replies.

import { test, expect, beforeAll, afterAll } from "bun:test";
import type Redis from "ioredis";
import { cli, startRedis, startTsredis, type RunningServer } from "./helpers/server.ts";
import { Config } from "../src/config/config.ts";
import { Shard } from "../src/server/shard.ts";
import { Client } from "../src/server/client.ts";
import { processCommand } from "../src/server/dispatch.ts";
import { installCommands } from "../src/commands/index.ts";

let srv: RunningServer;
let ref: RunningServer | null;
let r: Redis;
beforeAll(async () => {
  [srv, ref] = await Promise.all([startTsredis(["--enable-debug-command", "yes"]), startRedis(["--enable-debug-command", "yes"])]);
  r = srv.client();
});
afterAll(async () => {
  await Promise.all([srv.stop(), ref?.stop()]);
});

/** Run one redis-cli session (commands on stdin) on both servers; the outputs must match. */
async function sameAsRedis(script: string, args: string[] = []): Promise<string> {
  const ours = await cli(srv.port, args, script);
  if (ref) expect(ours).toBe(await cli(ref.port, args, script));
  return ours;
}

/** redis-cli's quoting for a script given as one argument. */
function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

test("Lua values become replies: numbers truncate, false is nil, tables are arrays", async () => {
  const out = await sameAsRedis(
    [
      `EVAL ${q("return 100.5")} 0`,
      `EVAL ${q("return -3.9")} 0`,
      `EVAL ${q("return true")} 0`,
      `EVAL ${q("return false")} 0`,
      `EVAL ${q("return {ok='fine'}")} 0`,
      `EVAL ${q("return {err='ERR this is an error'}")} 0`,
      `EVAL ${q("return {1,2,3,'ciao',{1,2},nil,5}")} 0`,
      `EVAL ${q("return redis.status_reply('MY_OK')")} 0`,
      `EVAL ${q("return redis.error_reply('MY_ERR code')")} 0`,
      `EVAL ${q("return redis.error_reply('')")} 0`,
    ].join("\n"),
  );
  expect(out).toContain("MY_ERR code");
});

test("Redis replies become Lua values, in RESP2 and RESP3", async () => {
  await sameAsRedis(
    [
      "DEL h l",
      "HSET h f v",
      "RPUSH l a b c",
      `EVAL ${q("local t = redis.pcall('hgetall', KEYS[1]); return {type(t), #t}")} 1 h`,
      `EVAL ${q("redis.setresp(3); local t = redis.call('hgetall', KEYS[1]); return {type(t.map), t.map.f}")} 1 h`,
      `EVAL ${q("local t = redis.pcall('incr', KEYS[1]); return {type(t), t.err}")} 1 l`,
      `EVAL ${q("local t = redis.pcall('get', 'nosuchkey'); return {type(t), tostring(t)}")} 0`,
      `EVAL ${q("local t = redis.call('set', 'k', 'v'); return t.ok")} 0`,
      `EVAL ${q("redis.setresp(3); return redis.call('hgetall', KEYS[1])")} 1 h`,
    ].join("\n"),
  );
});

test("RESP3 callers get maps, sets, doubles and booleans from scripts", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("return {map={a=1}}")} 0`,
      `EVAL ${q("return {set={x=true}}")} 0`,
      `EVAL ${q("return {double=3.5}")} 0`,
      `EVAL ${q("redis.setresp(3); return true")} 0`,
      `EVAL ${q("return {big_number='123456789012345678901234567890'}")} 0`,
    ].join("\n"),
    ["-3"],
  );
});

test("errors carry the script position and SHA, and redis.call refusals are Redis's", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("return a")} 0`,
      `EVAL ${q("a = 1")} 0`,
      `EVAL ${q("redis.call('nosuchcommand')")} 0`,
      `EVAL ${q("redis.call('get', 'a', 'b')")} 0`,
      `EVAL ${q("redis.call()")} 0`,
      `EVAL ${q("redis.call('ping', {})")} 0`,
      `EVAL ${q("redis.call('blpop', 'x', 0)")} 0`,
      `EVAL ${q("local t = {}; t.foo()")} 0`,
      `EVAL ${q("error('boom')")} 0`,
      `EVAL ${q("error({err='MYCODE custom'})")} 0`,
      `EVAL ${q("return 1 +")} 0`,
      `EVAL ${q("return 1")} -1`,
      `EVAL ${q("return 1")} 2 a`,
      `EVALSHA ffd632c7d33e571e9f24556ebed26c3479a87130 0`,
      `EVALSHA short 0`,
      `EVAL_RO ${q("return redis.call('set', 'x', 1)")} 1 x`,
      `EVAL ${q("#!lua flags=no-writes\nreturn redis.call('set', 'x', 1)")} 1 x`,
      `EVAL ${q("#!other\nreturn 1")} 0`,
      `EVAL ${q("#!lua badger=data\nreturn 1")} 0`,
      `EVAL ${q("#!lua flags=allow-oom,what?\nreturn 1")} 0`,
      `EVAL ${q("return redis.sha1hex()")} 0`,
      `EVAL ${q("redis.setresp(4)")} 0`,
      `EVAL ${q("redis.set_repl(12345)")} 0`,
      `EVAL ${q("return loadstring(string.dump(function() return 1 end))()")} 0`,
    ].join("\n"),
  );
});

test("globals and library tables are read-only", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("setmetatable(_G, {})")} 0`,
      `EVAL ${q("local g = getmetatable(_G); g.__index = {}")} 0`,
      `EVAL ${q("redis.call = function() return 1 end")} 0`,
      `EVAL ${q("cjson.encode = 1")} 0`,
      `EVAL ${q("rawset(_G, 'x', 1)")} 0`,
      `EVAL ${q("print('x')")} 0`,
      `EVAL ${q("local ok, err = pcall(function() return foo end); return {tostring(ok), err}")} 0`,
    ].join("\n"),
  );
});

test("numbers behave as Lua 5.1 doubles", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("return tostring(3/1) .. ' ' .. tostring(1e100) .. ' ' .. tostring(0.1) .. ' ' .. tostring(1/0) .. ' ' .. tostring(1e-7) .. ' ' .. tostring(2^53)")} 0`,
      `EVAL ${q("local x = 2147483647; x = x + 1; return tostring(x * 4)")} 0`,
      `EVAL ${q("return string.format('%d %x %5.2f %s', 2^40, 255, 3.14159, 7)")} 0`,
      `EVAL ${q("redis.call('set', 'n', 9007199254740991); return redis.call('get', 'n')")} 0`,
      `EVAL ${q("redis.call('set', 'n', 0.1); return redis.call('get', 'n')")} 0`,
      `EVAL ${q("return {math.floor(3.7), table.getn({1,2,3}), unpack({4,5})}")} 0`,
      `EVAL ${q("assert(0x7fffffff == 2147483647); return tostring(-1)")} 0`,
    ].join("\n"),
  );
});

test("cjson, cmsgpack, bit and struct libraries", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')")} 0`,
      `EVAL ${q("return cjson.encode({1,2,'x',true,{a='b/c\\n'}})")} 0`,
      `EVAL ${q("return cjson.encode({})")} 0`,
      `EVAL ${q("return cjson.decode('[1,2')")} 0`,
      `EVAL ${q("return cjson.encode({[false]=1})")} 0`,
      `EVAL ${q("return cjson.encode(0/0)")} 0`,
      `EVAL ${q("local t = cjson.decode('{\"a\":null}'); return tostring(t.a == cjson.null)")} 0`,
      `EVAL ${q("local e = cmsgpack.pack(0.1, -1099511627776, 'abc', {1,2}, {a=1}); local h = ''; for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end; return h")} 0`,
      `EVAL ${q("local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', {3})); return {a, b, c[1]}")} 0`,
      `EVAL ${q("return cmsgpack.unpack('\\217')")} 0`,
      `EVAL ${q("return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.lshift(1, 31), bit.rshift(-1, 28), bit.tohex(255), bit.tohex(-1, -4), bit.tobit(2^32 + 1)}")} 0`,
      `EVAL ${q("local s = struct.pack('>I2i4s', 258, -2, 'hi'); return {#s, struct.unpack('>I2i4s', s)}")} 0`,
      `EVAL ${q("return struct.size('!4bi')")} 0`,
    ].join("\n"),
  );
});

test("SCRIPT LOAD / EXISTS / FLUSH and EVALSHA", async () => {
  const sha = await r.script("LOAD", "return 'loaded'");
  expect(sha).toBe("b534286061d4b9e4026607613b95c06c06015ae8");
  expect(await r.evalsha(sha as string, 0)).toBe("loaded");
  expect(await r.evalsha((sha as string).toUpperCase(), 0)).toBe("loaded");
  expect(await r.script("EXISTS", sha as string, "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bda")).toEqual([1, 0]);
  expect(await r.script("FLUSH")).toBe("OK");
  await expect(r.evalsha(sha as string, 0)).rejects.toThrow("NOSCRIPT No matching script. Please use EVAL.");
  await sameAsRedis(["SCRIPT KILL", "SCRIPT FLUSH BAD", "SCRIPT HELP", "SCRIPT NOSUCH"].join("\n"));
});

test("KEYS, ARGV, SELECT inside a script and the caller's database", async () => {
  await sameAsRedis(
    [
      `EVAL ${q("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}")} 2 a b c d`,
      "SELECT 3",
      "SET k db3",
      `EVAL ${q("redis.call('select', '4'); redis.call('set', 'k', 'db4'); return redis.call('get', 'k')")} 0`,
      "GET k",
      "SELECT 4",
      "GET k",
      "DEL k",
      "SELECT 3",
      "DEL k",
    ].join("\n"),
  );
});

test("math.random is seedable and deterministic for a seed", async () => {
  const a = await r.eval("math.randomseed(ARGV[1]); return tostring(math.random())", 0, "10");
  const b = await r.eval("math.randomseed(ARGV[1]); return tostring(math.random())", 0, "10");
  const c = await r.eval("math.randomseed(ARGV[1]); return tostring(math.random())", 0, "20");
  expect(a).toBe(b);
  expect(a).not.toBe(c);
  expect(await r.eval("return {math.random(10) <= 10, math.random(5, 6) >= 5}", 0)).toEqual([1, 1]);
});

test("a script sees its start time for key expiry", async () => {
  // The key expires 1 ms after it is set, while the script keeps running far longer.
  const script = "redis.call('set', 'tk', 'v', 'px', 1); local i = 0; while i < 2000000 do i = i + 1 end; return redis.call('exists', 'tk')";
  expect(await r.eval(script, 0)).toBe(1);
  expect(await r.exists("tk")).toBe(0);
});

test("commandstats and errorstats count script commands like Redis", async () => {
  await r.config("RESETSTAT");
  await expect(r.eval("return redis.call('select', 99)", 0)).rejects.toThrow("ERR DB index is out of range");
  let info = await r.info("commandstats");
  expect(info).toMatch(/cmdstat_select:calls=1,.*rejected_calls=0,failed_calls=1/);
  expect(info).toMatch(/cmdstat_eval:calls=1,.*rejected_calls=0,failed_calls=1/);
  await r.config("RESETSTAT");
  expect(await r.eval("local t = redis.pcall('select', 99); return t['err']", 0)).toBe("ERR DB index is out of range");
  info = await r.info("commandstats");
  expect(info).toMatch(/cmdstat_eval:calls=1,.*failed_calls=0/);
  expect(await r.info("errorstats")).toContain("errorstat_ERR:count=1");
  await r.config("RESETSTAT");
  await expect(r.eval_ro("return redis.call('set', 'x', 'y')", 1, "x")).rejects.toThrow("ERR Write commands are not allowed from read-only scripts");
  expect(await r.info("commandstats")).toMatch(/cmdstat_set:calls=0,.*rejected_calls=1,failed_calls=0/);
});

test("FUNCTION LOAD / LIST / STATS / DELETE and FCALL", async () => {
  await r.function("FLUSH");
  const lib = `#!lua name=mylib
local function add1(a) return a + 1 end
redis.register_function('f1', function(keys, args) return add1(#keys) end)
redis.register_function{function_name='f2', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}`;
  expect(await r.function("LOAD", lib)).toBe("mylib");
  expect(await r.fcall("f1", 2, "a", "b")).toBe(3);
  expect(await r.fcall("F1", 0)).toBe(1);
  await r.set("fk", "fv");
  expect(await r.fcall_ro("f2", 1, "fk")).toBe("fv");
  await expect(r.fcall_ro("f1", 0)).rejects.toThrow("ERR Can not execute a script with write flag using *_ro command.");
  expect(await r.function("LIST")).toEqual([
    ["library_name", "mylib", "engine", "LUA", "functions", [["name", "f1", "description", null, "flags", []], ["name", "f2", "description", "reads", "flags", ["no-writes"]]]],
  ]);
  expect(await r.function("STATS")).toEqual(["running_script", null, "engines", ["LUA", ["libraries_count", 1, "functions_count", 2]]]);
  expect(await r.call("COMMAND", "GETKEYS", "FCALL", "f1", "2", "a", "b", "c")).toEqual(["a", "b"]);
  const dump = (await r.callBuffer("FUNCTION", "DUMP")) as Buffer;
  expect(await r.function("DELETE", "mylib")).toBe("OK");
  await expect(r.fcall("f1", 0)).rejects.toThrow("ERR Function not found");
  expect(await r.call("FUNCTION", "RESTORE", dump)).toBe("OK");
  expect(await r.fcall("f1", 0)).toBe(1);
  await expect(r.call("FUNCTION", "RESTORE", dump)).rejects.toThrow("ERR Library mylib already exists");
  await expect(r.call("FUNCTION", "RESTORE", "bad")).rejects.toThrow("ERR DUMP payload version or checksum are wrong");
  await r.function("FLUSH");
});

test("FUNCTION LOAD errors match Redis", async () => {
  const load = (code: string) => `FUNCTION LOAD ${q(code)}`;
  await sameAsRedis(
    [
      "FUNCTION FLUSH",
      load("#!lua name=lib2\nreturn math.random()"),
      load("#!lua name=lib2\nredis.register_function()"),
      load("#!lua name=lib2\nredis.register_function('f1')"),
      load("#!lua name=lib2\nredis.register_function('f1', 'x')"),
      load("#!lua name=lib2\nredis.register_function('bad name', function() end)"),
      load("#!lua name=lib2\nredis.register_function{function_name='f1', callback=function() end, flags={'bogus'}}"),
      load("#!lua name=lib2\nredis.register_function{function_name='f1', callback=function() end, other=1}"),
      load("#!lua name=lib2\na = 1"),
      load("#!lua name=lib2\nreturn 1"),
      load("#!lua name=lib2\nbad script"),
      load("#!lua name=lib2\nlocal a = 1 while 1 do a = a + 1 end"),
      load("#!bad_engine name=lib2\nreturn 1"),
      load("#!lua\nreturn 1"),
      load("#!lua name=a name=b\nreturn 1"),
      load("#!lua name=x foo=bar\nreturn 1"),
      load("no shebang"),
      load("#!lua name=lib3\nredis.register_function('g', function() return 1 end)"),
      load("#!lua name=lib3\nredis.register_function('g', function() return 2 end)"),
      load("#!lua name=lib4\nredis.register_function('G', function() return 2 end)"),
      "FUNCTION LOAD BOGUS x",
      "FUNCTION LIST BAD",
      "FUNCTION LIST LIBRARYNAME",
      "FUNCTION LIST WITHCODE WITHCODE",
      "FUNCTION DELETE nosuch",
      "FUNCTION KILL",
      "FUNCTION FLUSH BAD",
      "FUNCTION RESTORE a b c",
      "FCALL nosuch 0",
      "FCALL g notanumber",
      "FCALL g 5 a",
      "FCALL g -1",
      "FUNCTION FLUSH",
    ].join("\n"),
  );
});

test("a script running past busy-reply-threshold can be killed", async () => {
  await r.config("SET", "busy-reply-threshold", "20");
  const runner = srv.client();
  const killer = srv.client();
  // Both connections finish ioredis's ready check (INFO) before the server turns busy.
  await Promise.all([runner.ping(), killer.ping()]);
  const running = runner.eval("local i = 0 while true do i = i + 1 end", 0).catch((e: Error) => e.message);
  // Once the script is past the threshold, other commands get BUSY: poll for that.
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const reply = await killer.ping().catch((e: Error) => e.message);
    if (reply.startsWith("BUSY")) break;
    await Bun.sleep(5);
  }
  expect(await killer.script("KILL")).toBe("OK");
  expect(await running).toContain("ERR Script killed by user with SCRIPT KILL...");
  await expect(killer.script("KILL")).rejects.toThrow("NOTBUSY No scripts in execution right now.");
  await r.config("SET", "busy-reply-threshold", "5000");
});

test("INFO reports the script cache", async () => {
  await r.script("FLUSH");
  for (let j = 0; j < 5; j++) await r.script("LOAD", `return ${j}`);
  expect(await r.info("memory")).toContain("number_of_cached_scripts:5");
});

/** An in-process shard whose propagated effects are recorded as "db:ARGS" strings. */
function recordingShard(): { run: (...cmd: string[]) => void; effects: string[] } {
  const shard = new Shard(0, 1, new Config(), "0".repeat(40), new Int32Array(new SharedArrayBuffer(4)));
  installCommands(shard);
  const effects: string[] = [];
  shard.propagators.push((db, argv) => effects.push(`${db}:${argv.map((a) => new TextDecoder().decode(a)).join(" ")}`));
  const c = new Client(shard, 1);
  c.authenticated = true;
  const enc = new TextEncoder();
  return { run: (...cmd) => void processCommand(c, cmd.map((a) => enc.encode(a))), effects };
}

test("scripts propagate their effects, wrapped in MULTI/EXEC when there are several", () => {
  const { run, effects } = recordingShard();
  run("EVAL", "redis.call('set', KEYS[1], '1')", "1", "a");
  expect(effects).toEqual(["0:set a 1"]);

  effects.length = 0;
  run("EVAL", "redis.call('set', 'a', '1'); redis.call('get', 'a'); redis.call('select', '2'); redis.call('incr', 'n')", "0");
  expect(effects).toEqual(["0:MULTI", "0:set a 1", "2:incr n", "2:EXEC"]);

  effects.length = 0;
  run("EVAL", "redis.call('expire', 'a', 100); redis.set_repl(redis.REPL_NONE); redis.call('set', 'b', '1')", "0");
  expect(effects.length).toBe(1);
  expect(effects[0]).toMatch(/^0:PEXPIREAT a \d+$/);

  effects.length = 0;
  run("EVAL", "return redis.call('get', 'a')", "0");
  expect(effects).toEqual([]);

  // Inside EXEC the script's effects join the transaction instead of nesting MULTI.
  effects.length = 0;
  run("MULTI");
  run("EVAL", "redis.call('set', 'x', '1'); redis.call('set', 'y', '2')", "0");
  run("SET", "z", "3");
  run("EXEC");
  expect(effects).toEqual(["0:MULTI", "0:set x 1", "0:set y 2", "0:SET z 3", "0:EXEC"]);

  effects.length = 0;
  run("FUNCTION", "LOAD", "#!lua name=plib\nredis.register_function('pf', function(keys) return redis.call('set', keys[1], 'v') end)");
  run("FCALL", "pf", "1", "k");
  expect(effects.slice(-1)).toEqual(["0:set k v"]);
});
