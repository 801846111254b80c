// The coordinator (main thread): reads configuration like redis-server, starts one worker
// thread per shard, serves the admin HTTP endpoint and handles signals and shutdown.

import { unlinkSync, writeFileSync, existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { randomBytes } from "node:crypto";
import { Config, ConfigError } from "./config/config.ts";
import { makeLogger } from "./server/log.ts";
import type { ControlReply, ControlRequest, InfoSection, WorkerInit } from "./server/protocol.ts";
import { startAdmin } from "./admin/http.ts";
import { REDIS_VERSION, TSREDIS_VERSION } from "./version.ts";
import { createMesh } from "./server/mesh.ts";
import { bindAddresses } from "./server/bind.ts";
import { sharedStatsBytes } from "./server/shared-stats.ts";
import { RdbAssembler } from "./persistence/assembler.ts";

/** The compiled binary embeds the worker under its build path; from source, resolve the file. */
const WORKER_ENTRY = import.meta.url.includes("$bunfs") ? "./workers/shard.ts" : new URL("../workers/shard.ts", import.meta.url).href;

/** Ring size per ordered pair of shard workers; untouched pages cost no memory. */
const RING_BYTES = 32 * 1024 * 1024;

const USAGE = `Usage: ./tsredis [/path/to/redis.conf] [options] [-]
       ./tsredis - (read config from stdin)
       ./tsredis -v or --version
       ./tsredis -h or --help

Examples:
       ./tsredis (run the server with default config)
       ./tsredis /etc/redis/6379.conf
       ./tsredis --port 7777
       ./tsredis --port 7777 --replicaof 127.0.0.1 8888
       ./tsredis /etc/myredis.conf --loglevel verbose -
       ./tsredis --cluster-enabled --port 7000
       ./tsredis --shards 2 --admin-port 8080
`;

function die(message: string): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "-v" || argv[0] === "--version") {
    process.stdout.write(`tsredis v=${TSREDIS_VERSION} redis_version=${REDIS_VERSION} bun=${Bun.version} bits=64\n`);
    return;
  }
  if (argv[0] === "-h" || argv[0] === "--help") {
    process.stdout.write(USAGE);
    return;
  }
  if (argv.includes("--sentinel")) die("Sentinel mode is not part of this build yet.");

  const config = new Config();
  try {
    const stdinText = argv.includes("-") ? await Bun.stdin.text() : undefined;
    config.loadArgs(argv, stdinText);
  } catch (e) {
    if (e instanceof ConfigError) die(e.message);
    throw e;
  }

  if (config.getBool("daemonize") && !process.env.TSREDIS_DAEMON_CHILD) {
    // No fork in a JS runtime: start a detached copy of ourselves and let the parent exit.
    const child = Bun.spawn([process.execPath, ...(process.execPath.endsWith("tsredis") ? [] : [process.argv[1]]), ...argv], {
      env: { ...process.env, TSREDIS_DAEMON_CHILD: "1" },
      stdio: ["ignore", "ignore", "ignore"],
    });
    child.unref();
    return;
  }

  const dir = config.getStr("dir");
  try {
    process.chdir(dir);
  } catch (e) {
    die(`Can't chdir to '${dir}': ${(e as Error).message}`);
  }

  const logFile = config.getStr("logfile") === "" ? "" : resolvePath(config.getStr("logfile"));
  if (logFile === "" && config.getBool("daemonize")) config.applyDirective("logfile", ["/dev/null"]);
  const log = makeLogger({ file: logFile, level: config.getStr("loglevel"), role: config.getStr("replicaof") !== "" ? "S" : "M" });
  log("notice", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
  log("notice", `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started (tsredis ${TSREDIS_VERSION})`);
  log("notice", config.configFile ? "Configuration loaded" : "Warning: no config file specified, using the default config. In order to specify a config file use ./tsredis /path/to/redis.conf");

  const pidfile = config.getStr("pidfile");
  if (pidfile !== "" || config.getBool("daemonize")) {
    const path = pidfile !== "" ? pidfile : "/var/run/redis_6379.pid";
    try {
      writeFileSync(path, `${process.pid}\n`);
    } catch {
      log("warning", `Failed to write PID file: ${path}`);
    }
  }

  // Workers listen with SO_REUSEPORT, which would silently share a port with another
  // instance; a plain bind first fails the way redis-server does when the port is taken.
  const port = config.getNum("port");
  for (const { host, optional } of bindAddresses(config.getStr("bind"))) {
    if (port === 0) break;
    try {
      Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    } catch (e) {
      if (optional) continue;
      log("warning", `Warning: Could not create server TCP listening socket ${host}:${port}: bind: ${(e as { code?: string }).code === "EADDRINUSE" ? "Address already in use" : (e as Error).message}`);
      log("warning", `Failed listening on port ${port} (TCP), aborting.`);
      process.exit(1);
    }
  }

  const shards = chooseShardCount(config.getNum("shards"));
  const runId = randomBytes(20).toString("hex");
  const shared = new SharedArrayBuffer(64);
  const mesh = shards > 1 ? createMesh(shards, RING_BYTES) : null;
  const stats = shards > 1 ? new SharedArrayBuffer(sharedStatsBytes(shards, config.getNum("databases"))) : null;
  const workers: Worker[] = [];
  let ready = 0;
  let stopping = false;

  const infoWaiters = new Map<number, (s: InfoSection[]) => void>();
  let infoSeq = 0;
  const requestInfo = (section?: string) =>
    new Promise<InfoSection[]>((res) => {
      const id = ++infoSeq;
      infoWaiters.set(id, res);
      workers[0].postMessage({ type: "info", id, section } satisfies ControlRequest);
    });

  const shutdown = (why: string, save: boolean | null) => {
    if (stopping) return;
    stopping = true;
    log("warning", why);
    log("notice", "User requested shutdown...");
    let stopped = 0;
    const finish = () => {
      if (pidfile !== "" && existsSync(pidfile)) {
        try {
          unlinkSync(pidfile);
        } catch {
          // already gone
        }
      }
      log("warning", "Redis is now ready to exit, bye bye...");
      process.exit(0);
    };
    const onStopped = (ev: MessageEvent<ControlReply>) => {
      if (ev.data.type !== "stopped") return;
      if (ev.data.error !== undefined) {
        // The final save failed: like Redis, keep serving.
        log("warning", "SIGTERM received but errors trying to shut down the server, check the logs for more information");
        stopping = false;
        for (const w of workers) w.removeEventListener("message", onStopped);
        return;
      }
      if (++stopped === workers.length) return finish();
      // The first worker saved every worker's keys (they served it meanwhile): now the rest.
      if (stopped === 1 && saveFirst) for (const w of workers.slice(1)) w.postMessage({ type: "stop", save: false } satisfies ControlRequest);
    };
    const saveFirst = workers.length > 1 && save !== false;
    for (const w of workers) w.addEventListener("message", onStopped);
    for (const w of saveFirst ? workers.slice(0, 1) : workers) w.postMessage({ type: "stop", save } satisfies ControlRequest);
    // A worker that is not saving answers at once; one writing the final RDB takes its time.
    if (save === false) setTimeout(finish, 2000).unref();
  };
  const assembler = new RdbAssembler((msg) => {
    for (const w of workers) w.postMessage(msg);
  }, log);

  for (let i = 0; i < shards; i++) {
    const w = new Worker(WORKER_ENTRY);
    w.onmessage = (ev: MessageEvent<ControlReply>) => {
      const msg = ev.data;
      switch (msg.type) {
        case "ready":
          if (++ready === shards) {
            log("notice", `Server initialized (${shards} shard worker${shards > 1 ? "s" : ""})`);
            log("notice", "Ready to accept connections tcp");
          }
          break;
        case "fatal":
          log("warning", msg.message);
          process.exit(1);
        case "info": {
          const waiter = infoWaiters.get(msg.id);
          infoWaiters.delete(msg.id);
          waiter?.(msg.sections);
          break;
        }
        case "config":
          // Workers apply CONFIG SET together (one worker: trivially; several: the router
          // runs it on all of them), so the coordinator only keeps its own copy current.
          config.set(Object.entries(msg.changes), true);
          break;
        case "shutdown":
          shutdown("Received SHUTDOWN, scheduling shutdown...", msg.save);
          break;
        case "rdb-begin":
        case "rdb-part":
        case "rdb-part-end":
          assembler.handle(msg);
          break;
      }
    };
    w.onerror = (e) => {
      log("warning", `Shard worker ${i} crashed: ${e.message}`);
      process.exit(1);
    };
    const init: WorkerInit = { type: "init", shardId: i, shards, config: config.snapshot(), runId, logFile, shared, mesh, stats };
    w.postMessage(init);
    workers.push(w);
  }

  const adminPort = config.getNum("admin-port");
  if (adminPort > 0) {
    try {
      startAdmin({ hostname: config.getStr("admin-bind"), port: adminPort, config, requestInfo });
    } catch (e) {
      log("warning", `Admin endpoint not started on ${config.getStr("admin-bind")}:${adminPort}: ${(e as Error).message}`);
    }
  }

  process.on("SIGTERM", () => shutdown("Received SIGTERM scheduling shutdown...", null));
  process.on("SIGINT", () => shutdown("Received SIGINT scheduling shutdown...", null));
}

/**
 * `shards 0` (the default) picks the count. On the 2-core machines we measure on, one
 * worker is fastest: redis-benchmark itself needs a core, and a second worker only adds
 * cross-thread hops (README, "Choosing the shard count").
 */
function chooseShardCount(configured: number): number {
  if (configured > 0) return Math.min(configured, 64);
  return 1;
}

await main();
