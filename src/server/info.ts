// INFO: Redis 7.0's sections and fields, in Redis's order (genRedisInfoString). Sections come
// out as data (InfoSection) so the admin endpoint can serve them as JSON and the INFO command
// as text. Modules owning a subsystem (replication, persistence, scripting, tracking) add or
// override fields with addInfoFields().

import os from "node:os";
import { allCommands, type Command } from "../commands/table.ts";
import { lruClock, type Db } from "../keyspace/db.ts";
import { REDIS_VERSION, TSREDIS_VERSION } from "../version.ts";
import { commandHistogram } from "./latency.ts";
import type { InfoSection } from "./protocol.ts";
import type { Shard } from "./shard.ts";

export type Field = [string, string | number];
type FieldProvider = (shard: Shard) => Field[];

/** Default sections, as Redis's genInfoSectionDict default_sections. */
const DEFAULT_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace"];

const providers = new Map<string, FieldProvider[]>();

/**
 * Let another subsystem contribute to a section: fields with a name the section already has
 * replace its value in place; new names are appended.
 */
export function addInfoFields(section: string, provider: FieldProvider): void {
  let list = providers.get(section);
  if (list === undefined) providers.set(section, (list = []));
  list.push(provider);
}

/** Replication identity: the replication module takes these over (DEBUG CHANGE-REPL-ID renews them). */
export const replication = {
  replid: randomHex(40),
  replid2: "0".repeat(40),
  offset: 0,
  secondOffset: -1,
  /** Attached replicas, installed by the replication module. */
  replicas: (): { ip: string; port: number; state: string; offset: number; lag: number }[] => [],
  /** The INFO replication section, installed by the replication module. */
  section: null as ((shard: Shard) => Field[]) | null,
};

export function randomHex(n: number): string {
  const b = new Uint8Array(n / 2);
  crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

// ---- instantaneous metrics, sampled every 100 ms like serverCron -----------------------

const SAMPLES = 16;

class Metric {
  private samples = new Float64Array(SAMPLES);
  private idx = 0;
  private lastTime = Date.now();
  private lastCount = 0;

  track(count: number, now: number): void {
    const t = now - this.lastTime;
    const ops = count - this.lastCount;
    this.samples[this.idx] = t > 0 ? Math.trunc((ops * 1000) / t) : 0;
    this.idx = (this.idx + 1) % SAMPLES;
    this.lastTime = now;
    this.lastCount = count;
  }

  get value(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return Math.trunc(sum / SAMPLES);
  }
}

const opsMetric = new Metric();
const netInMetric = new Metric();
const netOutMetric = new Metric();
let peakMemory = 0;
let startupMemory = 0;

/** Start the per-shard samplers behind instantaneous_* and used_memory_peak. */
export function startInfoSampler(shard: Shard): void {
  startupMemory = process.memoryUsage().heapUsed;
  peakMemory = startupMemory;
  setInterval(() => {
    const now = Date.now();
    const s = shard.stats;
    opsMetric.track(s.commandsProcessed, now);
    netInMetric.track(s.netInput, now);
    netOutMetric.track(s.netOutput, now);
  }, 100);
}

// ---- formatting helpers ----------------------------------------------------------------

/** bytesToHuman() */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ["K", "M", "G", "T", "P"];
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === "P") return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

function fixed2(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : "0.00";
}

/** %ld.%06ld of a microsecond count. */
function seconds6(usec: number): string {
  return `${Math.trunc(usec / 1e6)}.${String(Math.trunc(usec % 1e6)).padStart(6, "0")}`;
}

/** getSafeInfoString(): names must not break the "name:value" line format. */
function safeName(s: string): string {
  return s.replace(/[#:\n\r]/g, "_");
}

// ---- sections ----------------------------------------------------------------------------

function serverSection(shard: Shard): Field[] {
  const cfg = shard.config;
  const uptime = Math.floor((Date.now() - shard.startedAt) / 1000);
  return [
    ["redis_version", REDIS_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", `tsredis-${TSREDIS_VERSION}`],
    ["redis_mode", cfg.getBool("cluster-enabled") ? "cluster" : "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.machine()}`],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", process.platform === "linux" ? "epoll" : "kqueue"],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", process.pid],
    ["process_supervised", "no"],
    ["run_id", shard.runId],
    ["tcp_port", cfg.getNum("port")],
    ["server_time_usec", Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", cfg.getNum("hz")],
    ["configured_hz", cfg.getNum("hz")],
    ["lru_clock", lruClock() & 0xffffff],
    ["executable", process.execPath],
    ["config_file", cfg.configFile ?? ""],
    ["io_threads_active", 0],
  ];
}

function clientsSection(shard: Shard): Field[] {
  let connected = 0;
  let blocked = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of shard.clients.values()) {
    if (c.monitor || c.closed || c.isReplica) continue;
    connected++;
    if (c.paused) blocked++;
    if (c.parser.pending > maxIn) maxIn = c.parser.pending;
    if (c.out.len > maxOut) maxOut = c.out.len;
  }
  return [
    ["connected_clients", connected],
    ["cluster_connections", 0],
    ["maxclients", shard.config.getNum("maxclients")],
    ["client_recent_max_input_buffer", maxIn],
    ["client_recent_max_output_buffer", maxOut],
    ["blocked_clients", blocked],
    ["tracking_clients", 0],
    ["clients_in_timeout_table", 0],
  ];
}

/** Memory held for keys: an empty database's preallocated slab does not count. */
export function datasetBytes(db: Db): number {
  return db.size > 0 ? db.memoryBytes : 0;
}

/** used_memory: the JS heap, which includes the keyspace slabs (ArrayBuffers). */
export function usedMemory(): number {
  return process.memoryUsage().heapUsed;
}

function memorySection(shard: Shard): Field[] {
  const mu = process.memoryUsage();
  const used = mu.heapUsed;
  if (used > peakMemory) peakMemory = used;
  let dataset = 0;
  for (const db of shard.dbs) dataset += datasetBytes(db);
  const overhead = Math.max(0, used - dataset);
  const maxmemory = shard.config.getNum("maxmemory");
  const total = os.totalmem();
  return [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", mu.rss],
    ["used_memory_rss_human", bytesToHuman(mu.rss)],
    ["used_memory_peak", peakMemory],
    ["used_memory_peak_human", bytesToHuman(peakMemory)],
    ["used_memory_peak_perc", `${fixed2((used * 100) / peakMemory)}%`],
    ["used_memory_overhead", overhead],
    ["used_memory_startup", startupMemory],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_perc", `${fixed2((dataset * 100) / Math.max(1, used - startupMemory))}%`],
    ["allocator_allocated", used],
    ["allocator_active", mu.heapTotal],
    ["allocator_resident", mu.rss],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    ["used_memory_lua", 0],
    ["used_memory_vm_eval", 0],
    ["used_memory_lua_human", "0B"],
    ["used_memory_scripts_eval", 0],
    ["number_of_cached_scripts", 0],
    ["number_of_functions", 0],
    ["number_of_libraries", 0],
    ["used_memory_vm_functions", 0],
    ["used_memory_vm_total", 0],
    ["used_memory_vm_total_human", "0B"],
    ["used_memory_functions", 0],
    ["used_memory_scripts", 0],
    ["used_memory_scripts_human", "0B"],
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", shard.config.getStr("maxmemory-policy")],
    ["allocator_frag_ratio", fixed2(mu.heapTotal / Math.max(1, used))],
    ["allocator_frag_bytes", Math.max(0, mu.heapTotal - used)],
    ["allocator_rss_ratio", fixed2(mu.rss / Math.max(1, mu.heapTotal))],
    ["allocator_rss_bytes", mu.rss - mu.heapTotal],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", fixed2(mu.rss / Math.max(1, used))],
    ["mem_fragmentation_bytes", mu.rss - used],
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", 0],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", `bun-${Bun.version}`],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

function persistenceSection(shard: Shard): Field[] {
  return [
    ["loading", 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", shard.dirty],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", shard.lastSave],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", shard.config.getBool("appendonly") ? 1 : 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_rewrites_consecutive_failures", 0],
    ["aof_last_write_status", "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
}

function statsSection(shard: Shard): Field[] {
  const s = shard.stats;
  const channels = new Set<string>();
  const patterns = new Set<string>();
  const shardChannels = new Set<string>();
  for (const c of shard.clients.values()) {
    if (c.channels) for (const ch of c.channels) channels.add(ch);
    if (c.patterns) for (const p of c.patterns) patterns.add(p);
    if (c.shardChannels) for (const ch of c.shardChannels) shardChannels.add(ch);
  }
  return [
    ["total_connections_received", s.connectionsReceived],
    ["total_commands_processed", s.commandsProcessed],
    ["instantaneous_ops_per_sec", opsMetric.value],
    ["total_net_input_bytes", s.netInput],
    ["total_net_output_bytes", s.netOutput],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", fixed2(netInMetric.value / 1024)],
    ["instantaneous_output_kbps", fixed2(netOutMetric.value / 1024)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", s.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", s.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", Math.trunc(s.expireCycleCpuMs)],
    ["evicted_keys", s.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", s.keyspaceHits],
    ["keyspace_misses", s.keyspaceMisses],
    ["pubsub_channels", channels.size],
    ["pubsub_patterns", patterns.size],
    ["pubsubshard_channels", shardChannels.size],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", 0],
    ["tracking_total_items", 0],
    ["tracking_total_prefixes", 0],
    ["unexpected_error_replies", s.unexpectedErrorReplies],
    ["total_error_replies", s.errorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", 0],
    ["total_writes_processed", 0],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0],
  ];
}

function replicationSection(shard: Shard): Field[] {
  if (replication.section !== null) return replication.section(shard);
  const replicas = replication.replicas();
  return [
    ["role", "master"],
    ["connected_slaves", replicas.length],
    ...replicas.map((r, i): Field => [`slave${i}`, `ip=${r.ip},port=${r.port},state=online,offset=${r.offset},lag=${r.lag}`]),
    ["master_failover_state", "no-failover"],
    ["master_replid", replication.replid],
    ["master_replid2", replication.replid2],
    ["master_repl_offset", replication.offset],
    ["second_repl_offset", replication.secondOffset],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", 1048576],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ];
}

function cpuSection(): Field[] {
  const u = process.cpuUsage();
  return [
    ["used_cpu_sys", seconds6(u.system)],
    ["used_cpu_user", seconds6(u.user)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", seconds6(u.system)],
    ["used_cpu_user_main_thread", seconds6(u.user)],
  ];
}

function* commandsAndSubcommands(): Generator<Command> {
  for (const cmd of allCommands()) {
    yield cmd;
    if (cmd.subcommands) yield* cmd.subcommands.values();
  }
}

function commandstatsSection(): Field[] {
  const out: Field[] = [];
  for (const c of commandsAndSubcommands()) {
    if (c.calls === 0 && c.failed === 0 && c.rejected === 0) continue;
    const perCall = c.calls === 0 ? 0 : c.usec / c.calls;
    out.push([
      `cmdstat_${safeName(c.fullName)}`,
      `calls=${c.calls},usec=${c.usec},usec_per_call=${fixed2(perCall)},rejected_calls=${c.rejected},failed_calls=${c.failed}`,
    ]);
  }
  return out;
}

function errorstatsSection(shard: Shard): Field[] {
  const codes = [...shard.stats.errors.keys()].sort();
  return codes.map((code) => [`errorstat_${safeName(code)}`, `count=${shard.stats.errors.get(code)}`]);
}

/** "%f" trimmed of trailing zeros, as Redis prints percentile names (p50, p99.9). */
function percentileName(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, "");
}

function latencystatsSection(shard: Shard): Field[] {
  if (!shard.config.getBool("latency-tracking")) return [];
  const raw = shard.config.getStr("latency-tracking-info-percentiles");
  const percentiles = raw === "" ? [] : raw.split(" ").map(Number);
  const out: Field[] = [];
  for (const c of commandsAndSubcommands()) {
    const h = commandHistogram(c);
    if (h === undefined) continue;
    const parts = percentiles.map((p) => `p${percentileName(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
    out.push([`latency_percentiles_usec_${safeName(c.fullName)}`, parts.join(",")]);
  }
  return out;
}

function keyspaceSection(shard: Shard): Field[] {
  const out: Field[] = [];
  shard.dbs.forEach((db, i) => {
    if (db.size > 0 || db.volatileCount > 0) {
      out.push([`db${i}`, `keys=${db.size},expires=${db.volatileCount},avg_ttl=${Math.round(db.avgTtl)}`]);
    }
  });
  return out;
}

const SECTIONS: [key: string, title: string, build: (shard: Shard) => Field[]][] = [
  ["server", "Server", serverSection],
  ["clients", "Clients", clientsSection],
  ["memory", "Memory", memorySection],
  ["persistence", "Persistence", persistenceSection],
  ["stats", "Stats", statsSection],
  ["replication", "Replication", replicationSection],
  ["cpu", "CPU", cpuSection],
  ["modules", "Modules", () => []],
  ["commandstats", "Commandstats", commandstatsSection],
  ["errorstats", "Errorstats", errorstatsSection],
  ["latencystats", "Latencystats", latencystatsSection],
  ["cluster", "Cluster", (shard) => [["cluster_enabled", shard.config.getBool("cluster-enabled") ? 1 : 0]]],
  ["keyspace", "Keyspace", keyspaceSection],
];

function withProviders(shard: Shard, key: string, fields: Field[]): Field[] {
  const extra = providers.get(key);
  if (extra === undefined) return fields;
  for (const p of extra) {
    for (const [name, value] of p(shard)) {
      const at = fields.findIndex((f) => f[0] === name);
      if (at >= 0) fields[at] = [name, value];
      else fields.push([name, value]);
    }
  }
  return fields;
}

/**
 * Sections for INFO's arguments (genInfoSectionDict semantics): none = the default
 * sections, "default" adds them, "all" = every section but module-generated ones,
 * "everything" = all of them; names are case-insensitive, duplicates ignored.
 */
export function infoSectionsFor(shard: Shard, args: string[]): InfoSection[] {
  const wanted = new Set<string>();
  let all = false;
  if (args.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const raw of args) {
    const a = raw.toLowerCase();
    if (a === "default") for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (a === "all" || a === "everything") all = true;
    else wanted.add(a);
  }
  const out: InfoSection[] = [];
  for (const [key, title, build] of SECTIONS) {
    const on = all || wanted.has(key) || (key === "modules" && wanted.has("module_list"));
    if (on) out.push([title, withProviders(shard, key, build(shard))]);
  }
  return out;
}

/** For the admin endpoint: one section name, a comma/space separated list, or "everything". */
export function infoSections(shard: Shard, which: string): InfoSection[] {
  return infoSectionsFor(shard, which.split(/[\s,]+/).filter(Boolean));
}

/** INFO's text form: "# Title\r\nname:value\r\n", sections separated by a blank line. */
export function infoText(sections: InfoSection[]): string {
  let s = "";
  for (const [title, fields] of sections) {
    if (s !== "") s += "\r\n";
    s += `# ${title}\r\n`;
    for (const [k, v] of fields) s += `${k}:${v}\r\n`;
  }
  return s;
}
