// Configuration module: parsing, CONFIG GET/SET semantics, command-line handling and
// CONFIG REWRITE, checked against the real redis-server 7.0 where it is installed.

import { test, expect, describe, afterAll } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config, ConfigError, parseMemory, splitConfigLine } from "../src/config/config.ts";

const REDIS = "/usr/bin/redis-server";
const REDIS_CLI = "/usr/bin/redis-cli";
const haveRedis = existsSync(REDIS) && existsSync(REDIS_CLI);

const root = mkdtempSync(join(tmpdir(), "tsredis-config-"));
let seq = 0;
/** A fresh directory under the test's temp root. */
function scratch(): string {
  const d = join(root, String(++seq));
  mkdirSync(d);
  return d;
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

function errorOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

/** What redis-server prints on stderr for these arguments (run in `cwd`), trimmed. */
function redisStderr(args: string[], cwd: string, stdin?: string): string {
  const p = Bun.spawnSync([REDIS, ...args], { cwd, stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stderr: "pipe", stdout: "pipe" });
  return p.stderr.toString().trim();
}

/** Our loadArgs error for the same arguments, with cwd switched like the real run. */
function oursStderr(args: string[], cwd: string, stdin?: string): string {
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    new Config().loadArgs(args, stdin);
    return "";
  } catch (e) {
    return (e as Error).message.trim();
  } finally {
    process.chdir(prev);
  }
}

/** Start redis-server on a unix socket in `dir` with these arguments, run fn, stop it. */
async function withRedis<T>(args: string[], dir: string, fn: (cli: (...a: string[]) => string) => T): Promise<T> {
  const sock = join(dir, "redis.sock");
  const server = Bun.spawn([REDIS, ...args, "--port", "0", "--unixsocket", sock], { cwd: dir, stdout: "ignore", stderr: "ignore" });
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await Bun.sleep(20);
    return fn((...a) => Bun.spawnSync([REDIS_CLI, "-s", sock, ...a]).stdout.toString());
  } finally {
    server.kill();
    await server.exited;
  }
}

/** CONFIG GET * output of redis-cli as a map. */
function configMap(out: string): Map<string, string> {
  // Only the final newline goes: the last value may itself be an empty line.
  const lines = out.replace(/\n$/, "").split("\n");
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < lines.length; i += 2) m.set(lines[i], lines[i + 1]);
  return m;
}

describe("splitConfigLine (sdssplitargs)", () => {
  test("plain words and blanks", () => {
    expect(splitConfigLine("  save 900   1\t")).toEqual(["save", "900", "1"]);
    expect(splitConfigLine("")).toEqual([]);
  });
  test("double quotes with escapes", () => {
    expect(splitConfigLine('requirepass "a b\\"c\\\\d"')).toEqual(["requirepass", 'a b"c\\d']);
    expect(splitConfigLine('x "\\n\\r\\t\\b\\a\\q"')).toEqual(["x", "\n\r\t\b\x07q"]);
    expect(splitConfigLine('x "\\x41\\x7a\\xZZ"')).toEqual(["x", "AzxZZ"]);
    expect(splitConfigLine('x "\\xc3\\xa9"')).toEqual(["x", "é"]);
    expect(splitConfigLine('x ""')).toEqual(["x", ""]);
    expect(splitConfigLine('x a"b c"d')).toBeNull();
    expect(splitConfigLine('x a"b c"')).toEqual(["x", "ab c"]);
  });
  test("single quotes only unescape \\'", () => {
    expect(splitConfigLine("x 'it\\'s \\n'")).toEqual(["x", "it's \\n"]);
  });
  test("unbalanced quotes and junk after a closing quote", () => {
    expect(splitConfigLine('x "abc')).toBeNull();
    expect(splitConfigLine("x 'abc")).toBeNull();
    expect(splitConfigLine('x "a"b')).toBeNull();
  });
});

describe("parseMemory (memtoull)", () => {
  test("units", () => {
    expect(parseMemory("1024")).toBe(1024);
    expect(parseMemory("1k")).toBe(1000);
    expect(parseMemory("1kb")).toBe(1024);
    expect(parseMemory("2M")).toBe(2_000_000);
    expect(parseMemory("100mb")).toBe(100 * 1024 * 1024);
    expect(parseMemory("1g")).toBe(1e9);
    expect(parseMemory("1GB")).toBe(1024 ** 3);
    expect(parseMemory("5b")).toBe(5);
  });
  test("Redis's odd corners and rejections", () => {
    expect(parseMemory("")).toBe(0);
    expect(parseMemory("kb")).toBe(0);
    expect(parseMemory("-1")).toBeNull();
    expect(parseMemory("1.5gb")).toBeNull();
    expect(parseMemory(" 5")).toBeNull();
    expect(parseMemory("5tb")).toBeNull();
  });
});

describe("defaults and CONFIG GET", () => {
  test("key defaults", () => {
    const c = new Config();
    expect(c.get("port")).toBe("6379");
    expect(c.get("bind")).toBe("* -::*");
    expect(c.get("save")).toBe("3600 1 300 100 60 10000");
    expect(c.get("replicaof")).toBe("");
    expect(c.get("slaveof")).toBe("");
    expect(c.get("dir")).toBe(process.cwd());
    expect(c.get("client-output-buffer-limit")).toBe("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    expect(c.get("list-max-ziplist-size")).toBe("-2");
    expect(c.get("shards")).toBe("0");
    expect(c.get("admin-port")).toBe("8080");
    expect(c.get("admin-bind")).toBe("127.0.0.1");
    expect(c.get("sentinel")).toBeUndefined();
    expect(c.get("nope")).toBeUndefined();
    expect(c.getNum("maxmemory")).toBe(0);
    expect(c.getNum("proto-max-bulk-len")).toBe(512 * 1024 * 1024);
    expect(c.getBool("protected-mode")).toBe(true);
    expect(c.getStr("enable-debug-command")).toBe("no");
  });

  test("globs match aliases, skip hidden options, keep exact names as typed", () => {
    const c = new Config();
    const names = c.match(["slave*"]).map(([n]) => n);
    expect(names).toContain("slaveof");
    expect(names).toContain("slave-read-only");
    expect(names).not.toContain("replica-read-only");
    expect(c.match(["*"]).some(([n]) => n === "watchdog-period")).toBe(false);
    expect(c.match(["watchdog-period"])).toEqual([["watchdog-period", "0"]]);
    expect(c.match(["MAXMEMORY", "maxmemory", "maxmemory-p*"])).toEqual([
      ["MAXMEMORY", "0"],
      ["maxmemory-policy", "noeviction"],
    ]);
    expect(c.match(["SLAVE-READ-ONLY", "slave-read-only", "replica-read-only"]).map(([n]) => n)).toEqual(["SLAVE-READ-ONLY", "replica-read-only"]);
    expect(c.match(["[pb]ort"])).toEqual([["port", "6379"]]);
    expect(c.match(["no-such-*", "nope"])).toEqual([]);
  });

  test.skipIf(!haveRedis)("every option and default matches redis-server 7.0", async () => {
    const dir = scratch();
    const real = await withRedis(["--save", "", "--dir", dir], dir, (cli) => configMap(cli("config", "get", "*")));
    expect(real.size).toBeGreaterThan(150);
    const ours = new Map(new Config().match(["*"]));
    for (const [name, value] of real) {
      if (["port", "unixsocket", "save", "dir"].includes(name)) continue;
      expect([name, ours.get(name)]).toEqual([name, value]);
    }
    // tsredis's own options stay out of globs (tools iterate CONFIG GET * and set it back).
    expect([...ours.keys()].filter((n) => !real.has(n))).toEqual([]);
    expect(new Config().match(["shards", "admin-port"])).toEqual([["shards", "0"], ["admin-port", "8080"]]);
  });

  test.skipIf(!haveRedis)("a config file with includes and overrides loads to redis-server's values", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "inc1.conf"), "timeout 9\r\nsave 10 1\n");
    writeFileSync(join(dir, "sub", "inc2.conf"), "hz 33\n");
    const text = [
      "save 900 1",
      "dir sub",
      "include inc*.conf",
      "# after an include Redis stops accumulating save lines",
      "save 20 2",
      "SLAVE-read-only no",
      '\tmaxmemory   "1gb"',
      "masterauth 'it\\'s \"x\"'",
      'masteruser "\\x41\\x42"',
      "client-output-buffer-limit normal 1k 2k 3 pubsub 4mb 5mb 6",
      'notify-keyspace-events "Kx$"',
      "list-max-ziplist-size 5",
      "lua-time-limit 77",
      "shutdown-on-sigterm save now",
      "oom-score-adj-values 1 2 3",
      "latency-tracking-info-percentiles 1.5 2",
      "unixsocketperm 0755",
      "",
    ].join("\n");
    writeFileSync(join(dir, "main.conf"), text);
    const args = ["main.conf", "--save", "60 5", "--appendfsync", "always", "--bind", "127.0.0.1", "::1"];
    const real = await withRedis(args, dir, (cli) => configMap(cli("config", "get", "*")));
    expect(real.get("save")).toBe("60 5");
    const prev = process.cwd();
    process.chdir(dir);
    const c = new Config();
    try {
      c.loadArgs(args);
    } finally {
      process.chdir(prev);
    }
    c.applyDirective("unixsocket", [join(dir, "redis.sock")]);
    c.applyDirective("port", ["0"]);
    for (const [name, value] of real) expect([name, c.get(name)]).toEqual([name, value]);
  });
});

describe("CONFIG SET", () => {
  test("typed values and canonical output", () => {
    const c = new Config();
    expect(c.set([["maxmemory", "1gb"]])).toEqual(["maxmemory"]);
    expect(c.get("maxmemory")).toBe("1073741824");
    expect(c.getNum("maxmemory")).toBe(1073741824);
    c.set([["loglevel", "WARNING"]]);
    expect(c.get("loglevel")).toBe("warning");
    c.set([["appendonly", "YES"]]);
    expect(c.getBool("appendonly")).toBe(true);
    c.set([["hz", "1000"]]);
    expect(c.get("hz")).toBe("500");
    c.set([["maxmemory-clients", "10%"]]);
    expect(c.get("maxmemory-clients")).toBe("10%");
    expect(c.getNum("maxmemory-clients")).toBe(-10);
    c.set([["notify-keyspace-events", "KEA"]]);
    expect(c.get("notify-keyspace-events")).toBe("AKE");
    c.set([["shutdown-on-sigint", "force now save"]]);
    expect(c.get("shutdown-on-sigint")).toBe("save now force");
    c.set([["oom-score-adj", "relative"]]);
    expect(c.get("oom-score-adj")).toBe("yes");
    c.set([["client-output-buffer-limit", "replica 1mb 2k 10"]]);
    expect(c.get("client-output-buffer-limit")).toBe("normal 0 0 0 slave 1048576 2000 10 pubsub 33554432 8388608 60");
    c.set([["save", ""]]);
    expect(c.get("save")).toBe("");
    c.set([["save", "100 10 200 5"]]);
    expect(c.get("save")).toBe("100 10 200 5");
    c.set([["bind", "127.0.0.1 ::1"]]);
    expect(c.get("bind")).toBe("127.0.0.1 ::1");
    c.set([["slave-read-only", "no"]]);
    expect(c.get("replica-read-only")).toBe("no");
    c.set([["repl-backlog-size", "1"]]);
    expect(c.get("repl-backlog-size")).toBe("16384");
  });

  test("Redis's error texts", () => {
    const c = new Config();
    const fail = (name: string, err: string) => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${err}`;
    expect(errorOf(() => c.set([["foo", "1"]]))).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(errorOf(() => c.set([["maxmemory", "abc"]]))).toBe(fail("maxmemory", "argument must be a memory value"));
    expect(errorOf(() => c.set([["MAXMEMORY", "abc"]]))).toBe(fail("maxmemory", "argument must be a memory value"));
    expect(errorOf(() => c.set([["port", "70000"]]))).toBe(fail("port", "argument must be between 0 and 65535 inclusive"));
    expect(errorOf(() => c.set([["hz", "010"]]))).toBe(fail("hz", "argument couldn't be parsed into an integer"));
    expect(errorOf(() => c.set([["maxclients", "0"]]))).toBe(fail("maxclients", "argument must be between 1 and 4294967295 inclusive"));
    expect(errorOf(() => c.set([["protected-mode", "1"]]))).toBe(fail("protected-mode", "argument must be 'yes' or 'no'"));
    expect(errorOf(() => c.set([["loglevel", "loud"]]))).toBe(
      fail("loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning"),
    );
    expect(errorOf(() => c.set([["maxmemory-clients", "101%"]]))).toBe(fail("maxmemory-clients", "percentage argument must be less or equal to 100"));
    expect(errorOf(() => c.set([["slave-priority", "x"]]))).toBe(fail("slave-priority", "argument couldn't be parsed into an integer"));
    expect(errorOf(() => c.set([["save", "100  10"]]))).toBe(fail("save", "Invalid save parameters"));
    expect(errorOf(() => c.set([["notify-keyspace-events", "Q"]]))).toBe(fail("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."));
    expect(errorOf(() => c.set([["shutdown-on-sigterm", "save nosave"]]))).toBe(
      fail("shutdown-on-sigterm", "shutdown options SAVE and NOSAVE can't be used simultaneously"),
    );
    expect(errorOf(() => c.set([["databases", "5"]]))).toBe(fail("databases", "can't set immutable config"));
    expect(errorOf(() => c.set([["Daemonize", "yes"]]))).toBe(fail("Daemonize", "can't set immutable config"));
    expect(errorOf(() => c.set([["slaveof", "a 1"]]))).toBe(fail("slaveof", "can't set immutable config"));
    expect(errorOf(() => c.set([["DIR", "/tmp"]]))).toBe(fail("DIR", "can't set protected config"));
    expect(errorOf(() => c.set([["dbfilename", "x.rdb"]]))).toBe(fail("dbfilename", "can't set protected config"));
    expect(errorOf(() => c.set([["port", "1"], ["PORT", "2"]]))).toBe(fail("PORT", "duplicate parameter"));
  });

  test("multi-pair SET is all or nothing, and the first problem wins", () => {
    const c = new Config();
    const seen: string[][] = [];
    c.onChange((names) => seen.push(names));
    expect(() => c.set([["maxmemory", "10mb"], ["timeout", "x"]])).toThrow(ConfigError);
    expect(c.get("maxmemory")).toBe("0");
    expect(seen).toEqual([]);
    expect(errorOf(() => c.set([["databases", "1"], ["foo", "1"]]))).toContain("can't set immutable config");
    expect(errorOf(() => c.set([["foo", "1"], ["databases", "1"]]))).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(c.set([["maxmemory", "10mb"], ["timeout", "30"], ["hz", "10"]])).toEqual(["maxmemory", "timeout"]);
    expect(seen).toEqual([["maxmemory", "timeout"]]);
    // An alias and its canonical name are not duplicates; the later one wins.
    c.set([["slave-read-only", "no"], ["replica-read-only", "yes"]]);
    expect(c.get("slave-read-only")).toBe("yes");
  });

  test("protected configs follow enable-protected-configs", () => {
    const dir = scratch();
    const c = new Config();
    c.applyDirective("enable-protected-configs", ["local"]);
    expect(errorOf(() => c.set([["dir", dir]]))).toContain("can't set protected config");
    expect(c.set([["dir", dir]], true)).toEqual(["dir"]);
    expect(c.get("dir")).toBe(dir);
    mkdirSync(join(dir, "sub"));
    c.set([["dir", "sub"]], true);
    expect(c.get("dir")).toBe(join(dir, "sub"));
    expect(errorOf(() => c.set([["dir", "/nonexistent-dir"]], true))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
    );
    expect(errorOf(() => c.set([["dbfilename", "a/b"]], true))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
    );
  });
});

describe("config file parsing", () => {
  test("directives, quoting, comments, repeated and multi-argument lines", () => {
    const c = new Config();
    c.loadText(
      [
        "# comment",
        "   ",
        "PORT 7000",
        'requirepass "p a\\"ss"',
        "save 900 1",
        "save 300 10 60 10000",
        "bind 127.0.0.1 ::1\r",
        "client-output-buffer-limit pubsub 64mb 16mb 90 replica 1gb 512mb 0",
        "list-max-ziplist-entries 5",
        "slaveof 10.0.0.1 6380",
        "\thz 20  ",
      ].join("\n"),
      "test.conf",
    );
    expect(c.get("port")).toBe("7000");
    expect(c.get("requirepass")).toBe('p a"ss');
    expect(c.get("save")).toBe("900 1 300 10 60 10000");
    expect(c.get("bind")).toBe("127.0.0.1 ::1");
    expect(c.get("client-output-buffer-limit")).toBe("normal 0 0 0 slave 1073741824 536870912 0 pubsub 67108864 16777216 90");
    expect(c.get("replicaof")).toBe("10.0.0.1 6380");
    expect(c.get("hz")).toBe("20");
  });

  test("save: a file's save lines replace the defaults and accumulate; save \"\" clears", () => {
    const c = new Config();
    c.loadText("save 900 1\nsave 300 10\nsave \"\"\nsave 60 1\nsave\n", "x");
    expect(c.get("save")).toBe("60 1");
    const d = new Config();
    d.loadText("port 1\n", "x");
    expect(d.get("save")).toBe("3600 1 300 100 60 10000");
  });

  test("include is relative to the current dir and supports globs", () => {
    const dir = scratch();
    mkdirSync(join(dir, "conf.d"));
    writeFileSync(join(dir, "conf.d", "a.conf"), "maxmemory 1mb\n");
    writeFileSync(join(dir, "conf.d", "b.conf"), "maxmemory 2mb\ntimeout 7\n");
    writeFileSync(join(dir, "conf.d", ".hidden.conf"), "timeout 99\n");
    writeFileSync(join(dir, "extra.conf"), "hz 42\n");
    const c = new Config();
    c.loadText(`dir ${dir}\ninclude extra.conf\ninclude conf.d/*.conf\ninclude nothing/*.conf\n`, "x");
    expect(c.get("hz")).toBe("42");
    expect(c.get("maxmemory")).toBe("2097152");
    expect(c.get("timeout")).toBe("7");
    expect(errorOf(() => c.loadText("include missing.conf\n", "x"))).toBe(
      "Fatal error, can't open config file 'missing.conf': No such file or directory",
    );
  });

  test("rename-command", () => {
    const c = new Config();
    c.commandExists = (n) => ["get", "set", "flushall", "config"].includes(n);
    c.loadText('rename-command flushall ""\nrename-command CONFIG cfg\nrename-command cfg cfg2\n', "x");
    expect([...c.renamedCommands]).toEqual([
      ["flushall", ""],
      ["config", "cfg2"],
    ]);
    const e = new Config();
    e.commandExists = c.commandExists;
    expect(errorOf(() => e.applyDirective("rename-command", ["nosuch", "x"]))).toBe("No such command in rename-command");
    expect(errorOf(() => e.applyDirective("rename-command", ["get", "set"]))).toBe("Target command name already exists");
    expect(errorOf(() => e.applyDirective("rename-command", ["get"]))).toBe("Bad directive or wrong number of arguments");
  });

  test("error bodies from applyDirective", () => {
    const c = new Config();
    expect(errorOf(() => c.applyDirective("foo", ["bar"]))).toBe("Bad directive or wrong number of arguments");
    expect(errorOf(() => c.applyDirective("port", ["1", "2"]))).toBe("wrong number of arguments");
    expect(errorOf(() => c.applyDirective("port", ["x"]))).toBe("argument couldn't be parsed into an integer");
    expect(errorOf(() => c.applyDirective("sentinel", ["monitor", "m", "1.2.3.4", "6379", "2"]))).toBe(
      "sentinel directive while not in sentinel mode",
    );
    expect(errorOf(() => c.applyDirective("sentinel", []))).toBe("Bad directive or wrong number of arguments");
    // Immutable options are fine in a file.
    c.applyDirective("databases", ["4"]);
    expect(c.getNum("databases")).toBe(4);
  });

  test("banner carries the line and the file", () => {
    const c = new Config();
    try {
      c.loadText("port 1\nfoo bar\n", "/etc/x.conf");
      throw new Error("no error");
    } catch (e) {
      const err = e as ConfigError;
      expect(err.message).toBe(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments",
      );
      expect(err.file).toBe("/etc/x.conf");
      expect(err.line).toBe(2);
    }
  });
});

describe("command line", () => {
  test("file, then options; options become synthesized lines", () => {
    const dir = scratch();
    const file = join(dir, "redis.conf");
    writeFileSync(file, "port 7000\nsave 900 1\n");
    const c = new Config();
    c.loadArgs([file, "--port", "7001", "--save", "60", "1", "--requirepass", "a b", "--bind", "127.0.0.1", "::1"]);
    expect(c.configFile).toBe(file);
    expect(c.get("port")).toBe("7001");
    expect(c.get("save")).toBe("900 1 60 1");
    expect(c.get("requirepass")).toBe("a b");
    expect(c.get("bind")).toBe("127.0.0.1 ::1");
  });

  test("bare flags: yes/no options mean yes, --save means save \"\"", () => {
    const c = new Config();
    c.loadArgs(["--cluster-enabled", "--port", "7000", "--save", "--appendonly"]);
    expect(c.getBool("cluster-enabled")).toBe(true);
    expect(c.getNum("port")).toBe(7000);
    expect(c.get("save")).toBe("");
    expect(c.getBool("appendonly")).toBe(true);
    const d = new Config();
    d.loadArgs(["--save", "", "--appendonly", "no", "--maxmemory", "100mb"]);
    expect(d.get("save")).toBe("");
    expect(d.getBool("appendonly")).toBe(false);
    expect(d.getNum("maxmemory")).toBe(100 * 1024 * 1024);
  });

  test("stdin config with -", () => {
    const c = new Config();
    c.loadArgs(["--port", "7002", "-"], "maxmemory 5mb\nport 7003\n");
    // stdin is read before the options, so --port wins.
    expect(c.get("port")).toBe("7002");
    expect(c.get("maxmemory")).toBe("5242880");
    expect(c.configFile).toBeNull();
  });

  test("missing config file", () => {
    expect(errorOf(() => new Config().loadArgs(["/nonexistent/redis.conf"]))).toBe(
      "Fatal error, can't open config file '/nonexistent/redis.conf': No such file or directory",
    );
  });

  const cases: [string, (dir: string) => string[], string?][] = [
    ["unknown directive on the command line", () => ["--port", "0", "--foo", "bar", "baz"]],
    ["wrong arity", () => ["--port", "1", "2"]],
    ["quoted argument in the synthesized line", () => ["--port", "0", "--loglevel", 'a"b\\n']],
    ["name and value in one argument", () => ["--port", "0", "--port 5 6"]],
    ["unbalanced quotes in a file", (d) => [file(d, 'port 0\nloglevel "abc\n')]],
    ["bad value in a file", (d) => [file(d, "port 0\n\n# c\nmaxmemory 12x\n")]],
    ["bad enum", (d) => [file(d, "port 0\nmaxmemory-policy lru\n")]],
    ["bad save", (d) => [file(d, "port 0\nsave 0 1\n")]],
    ["bad bool on the command line", () => ["--port", "0", "--daemonize", "maybe"]],
    ["octal", () => ["--port", "0", "--unixsocketperm", "1777"]],
    ["replicaof in cluster mode", () => ["--port", "0", "--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "1"]],
    ["log file cannot be opened", () => ["--port", "0", "--logfile", "/nonexistent/dir/x.log"]],
    ["error inside an included file", (d) => [file(d, "port 0\ninclude inc.conf\n", "hz 5\nbogus 1\n")]],
    ["multi-argument option given as one argument", () => ["--port", "0", "--save", "100 x"]],
    ["stdin", () => ["--port", "0", "-"], "hz 5\nbogus 2\n"],
    ["dir that does not exist", () => ["--port", "0", "--dir", "/nonexistent-dir"]],
    ["deprecated directive with wrong arity", () => ["--port", "0", "--list-max-ziplist-value"]],
    ["sentinel line", (d) => [file(d, "sentinel monitor m 127.0.0.1 6379 2\n")]],
  ];
  function file(dir: string, text: string, include?: string): string {
    writeFileSync(join(dir, "redis.conf"), text);
    if (include !== undefined) writeFileSync(join(dir, "inc.conf"), include);
    return join(dir, "redis.conf");
  }
  for (const [name, args, stdin] of cases) {
    test.skipIf(!haveRedis)(`banner matches redis-server: ${name}`, () => {
      const dir = scratch();
      const argv = args(dir);
      const real = redisStderr(argv, dir, stdin);
      expect(real).toContain("FATAL CONFIG FILE ERROR");
      expect(oursStderr(argv, dir, stdin)).toBe(real);
    });
  }
});

describe("snapshot", () => {
  test("round-trips non-default values, immutable ones included", () => {
    const c = new Config();
    c.loadArgs(["--databases", "4", "--save", "", "--bind", "127.0.0.1", "::1", "--client-output-buffer-limit", "pubsub 1mb 1mb 0"]);
    c.set([["maxmemory-clients", "5%"], ["notify-keyspace-events", "Ex"], ["shutdown-on-sigint", "save now"]]);
    c.applyDirective("rename-command", ["keys", ""]);
    const s = c.snapshot();
    expect(s.databases).toBe("4");
    expect(s.port).toBeUndefined();
    const d = Config.fromSnapshot(s);
    for (const [name, value] of c.match(["*"])) expect([name, d.get(name)]).toEqual([name, value]);
    expect([...d.renamedCommands]).toEqual([["keys", ""]]);
    expect(d.snapshot()).toEqual(s);
  });
});

describe("CONFIG REWRITE", () => {
  test("without a config file", () => {
    expect(errorOf(() => new Config().rewrite())).toBe("ERR The server is running without a config file");
  });

  test("keeps comments and order, updates in place, appends the rest, drops defaults", () => {
    const dir = scratch();
    const path = join(dir, "redis.conf");
    writeFileSync(
      path,
      [
        "# top comment",
        "port 7000",
        "bind 127.0.0.1",
        "",
        "  # indented comment   ",
        "save 900 1",
        "save 300 10",
        "slave-read-only no",
        "hash-max-ziplist-entries 100",
        "rename-command flushall \"\"",
        "maxmemory 1mb",
        "list-max-ziplist-entries 5",
        "",
        "",
        "timeout 5",
        "",
      ].join("\n"),
    );
    const c = new Config();
    c.loadArgs([path, "--dir", dir]);
    c.set([
      ["timeout", "0"],
      ["maxmemory", "2gb"],
      ["hash-max-listpack-entries", "200"],
      ["save", "100 1"],
      ["bind", "* -::*"],
      ["requirepass", 'a b"c'],
      ["notify-keyspace-events", "Ex"],
      ["maxmemory-clients", "5%"],
      ["client-output-buffer-limit", "pubsub 1 2 3"],
    ]);
    c.rewrite();
    expect(readFileSync(path, "utf8")).toBe(
      [
        "# top comment",
        "port 7000",
        "",
        "# indented comment",
        "save 100 1",
        "",
        "replica-read-only no",
        "hash-max-listpack-entries 200",
        'rename-command flushall ""',
        "maxmemory 2gb",
        "# ??? list-max-ziplist-entries 5",
        "",
        "timeout 0",
        "",
        "# Generated by CONFIG REWRITE",
        'requirepass "a b\\"c"',
        "maxmemory-clients 5%",
        `dir ${JSON.stringify(dir)}`,
        "client-output-buffer-limit pubsub 1 2 3",
        'notify-keyspace-events "xE"',
        "latency-tracking-info-percentiles 50 99 99.9",
        "",
      ].join("\n"),
    );
    // A second rewrite finds its own signature. Like Redis, it reuses the option's first
    // line for the first class (normal) and appends the non-default one after the file's
    // trailing blank line.
    const first = readFileSync(path, "utf8");
    c.rewrite();
    expect(readFileSync(path, "utf8")).toBe(
      first.replace("client-output-buffer-limit pubsub 1 2 3", "client-output-buffer-limit normal 0 0 0") +
        "\nclient-output-buffer-limit pubsub 1 2 3\n",
    );
    // The result loads back to the same values.
    const d = new Config();
    d.loadArgs([path]);
    for (const name of ["maxmemory", "save", "requirepass", "bind", "client-output-buffer-limit", "maxmemory-clients"]) {
      expect([name, d.get(name)]).toEqual([name, c.get(name)]);
    }
  });

  test("creates the file when it is missing", () => {
    const dir = scratch();
    const path = join(dir, "new.conf");
    const c = new Config();
    c.configFile = path;
    c.set([["maxmemory", "1kb"]]);
    c.rewrite();
    expect(readFileSync(path, "utf8")).toBe(
      [
        "# Generated by CONFIG REWRITE",
        "maxmemory 1kb",
        `dir ${JSON.stringify(process.cwd())}`,
        "save 3600 1",
        "save 300 100",
        "save 60 10000",
        "latency-tracking-info-percentiles 50 99 99.9",
        "",
      ].join("\n"),
    );
  });

  test.skipIf(!haveRedis)("same file as redis-server's CONFIG REWRITE", async () => {
    const dir = scratch();
    const text = [
      "# settings",
      "port 0",
      `unixsocket ${join(dir, "redis.sock")}`,
      `dir ${dir}`,
      "save 900 1",
      "save 300 10",
      "",
      "slave-read-only no",
      "lua-time-limit 100",
      "maxmemory 1mb",
      "  # note",
      "hz 12",
      "loglevel notice",
      "",
    ].join("\n");
    const sets: [string, string][] = [
      ["maxmemory", "3gb"],
      ["save", "60 5"],
      ["loglevel", "warning"],
      ["hz", "10"],
      ["appendfsync", "always"],
      ["client-output-buffer-limit", "normal 1mb 1mb 5"],
    ];
    writeFileSync(join(dir, "real.conf"), text);
    writeFileSync(join(dir, "ours.conf"), text);
    await withRedis([join(dir, "real.conf")], dir, (cli) => {
      for (const [k, v] of sets) cli("config", "set", k, v);
      cli("config", "rewrite");
    });
    const prev = process.cwd();
    process.chdir(dir);
    try {
      const c = new Config();
      c.loadArgs([join(dir, "ours.conf")]);
      c.set(sets);
      c.rewrite();
    } finally {
      process.chdir(prev);
    }
    // Redis appends in hash-table order and adds ACL "user" lines; compare the kept part
    // exactly and the appended options as a set.
    const split = (s: string) => {
      const [head, tail = ""] = s.split("# Generated by CONFIG REWRITE\n");
      return { head, tail: tail.split("\n").filter((l) => l !== "" && !l.startsWith("user ")).sort() };
    };
    const real = split(readFileSync(join(dir, "real.conf"), "utf8"));
    const ours = split(readFileSync(join(dir, "ours.conf"), "utf8"));
    expect(real.head).toContain("busy-reply-threshold 100");
    expect(ours.head).toBe(real.head);
    expect(ours.tail).toEqual(real.tail);
  });
});
