// Latency monitoring (Redis's latency.c): per-event time series of spikes above
// latency-monitor-threshold, and per-command latency histograms (LATENCY HISTOGRAM,
// INFO latencystats) kept as HdrHistograms with Redis's parameters.

import type { Command } from "../commands/table.ts";

// ---- HdrHistogram (1 ns .. 1 s, 2 significant digits), as deps/hdr_histogram ----------

const SUB_BUCKET_COUNT = 256;
const SUB_BUCKET_HALF = 128;
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const HIST_MIN = 1;
const HIST_MAX = 1_000_000_000;
/** Buckets needed so that SUB_BUCKET_COUNT << (buckets - 1) covers HIST_MAX. */
const BUCKET_COUNT = 23;
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF;

function bucketIndex(v: number): number {
  return 32 - Math.clz32(v | (SUB_BUCKET_COUNT - 1)) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

function countsIndexFor(v: number): number {
  const b = bucketIndex(v);
  const sb = v >>> b;
  return ((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sb - SUB_BUCKET_HALF);
}

function valueAtIndex(index: number): number {
  let b = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sb = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (b < 0) {
    sb -= SUB_BUCKET_HALF;
    b = 0;
  }
  return sb * 2 ** b;
}

function lowestEquivalent(v: number): number {
  const b = bucketIndex(v);
  return (v >>> b) * 2 ** b;
}

function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const sb = v >>> b;
  const size = 2 ** (sb >= SUB_BUCKET_COUNT ? b + 1 : b);
  return lowestEquivalent(v) + size - 1;
}

export class Histogram {
  readonly counts = new Float64Array(COUNTS_LEN);
  total = 0;

  record(ns: number): void {
    const v = ns < HIST_MIN ? HIST_MIN : ns > HIST_MAX ? HIST_MAX : Math.round(ns);
    this.counts[countsIndexFor(v)]++;
    this.total++;
  }

  /** hdr_value_at_percentile. */
  valueAtPercentile(p: number): number {
    const want = Math.max(1, Math.trunc((Math.min(p, 100) / 100) * this.total + 0.5));
    let sum = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      sum += this.counts[i];
      if (sum >= want) return highestEquivalent(valueAtIndex(i));
    }
    return 0;
  }

  /**
   * Cumulative distribution at power-of-two boundaries from 1024 ns, as Redis's
   * fillCommandCDF walks hdr_iter_log(1024, 2): [usec, cumulative count] pairs.
   */
  cdf(): [number, number][] {
    const out: [number, number][] = [];
    let index = -1;
    let cumulative = 0;
    let value = 0;
    let level = 1024;
    let levelLowest = lowestEquivalent(level);
    let previous = 0;
    while (cumulative < this.total || (index < COUNTS_LEN && valueAtIndex(index + 1) > levelLowest)) {
      let moved = true;
      while (value < levelLowest) {
        index++;
        if (index >= COUNTS_LEN) {
          moved = false;
          break;
        }
        cumulative += this.counts[index];
        value = valueAtIndex(index);
      }
      if (!moved) break;
      const micros = Math.trunc(highestEquivalent(value) / 1000);
      if (cumulative > previous) out.push([micros, cumulative]);
      previous = cumulative;
      level *= 2;
      levelLowest = lowestEquivalent(level);
    }
    return out;
  }
}

const histograms = new Map<Command, Histogram>();

export function recordCommandLatency(cmd: Command, usec: number): void {
  let h = histograms.get(cmd);
  if (h === undefined) {
    h = new Histogram();
    histograms.set(cmd, h);
  }
  h.record(usec * 1000);
}

export function commandHistogram(cmd: Command): Histogram | undefined {
  return histograms.get(cmd);
}

export function resetCommandHistograms(): void {
  histograms.clear();
}

// ---- latency events ---------------------------------------------------------------------

const TS_LEN = 160;

interface Sample {
  time: number;
  latency: number;
}

export interface TimeSeries {
  idx: number;
  max: number;
  samples: Sample[];
}

const events = new Map<string, TimeSeries>();

/** latencyAddSample: one sample per second per event, keeping the second's maximum. */
export function addLatencySample(event: string, ms: number): void {
  let ts = events.get(event);
  if (ts === undefined) {
    ts = { idx: 0, max: 0, samples: Array.from({ length: TS_LEN }, () => ({ time: 0, latency: 0 })) };
    events.set(event, ts);
  }
  const now = Math.floor(Date.now() / 1000);
  if (ms > ts.max) ts.max = ms;
  const prev = ts.samples[(ts.idx + TS_LEN - 1) % TS_LEN];
  if (prev.time === now) {
    if (ms > prev.latency) prev.latency = ms;
    return;
  }
  ts.samples[ts.idx].time = now;
  ts.samples[ts.idx].latency = ms;
  ts.idx = (ts.idx + 1) % TS_LEN;
}

export function latencyEvents(): Map<string, TimeSeries> {
  return events;
}

/** Samples of a series, oldest first. */
export function seriesSamples(ts: TimeSeries): Sample[] {
  const out: Sample[] = [];
  for (let j = 0; j < TS_LEN; j++) {
    const s = ts.samples[(ts.idx + j) % TS_LEN];
    if (s.time !== 0) out.push(s);
  }
  return out;
}

/** Forget one event (or all with null); returns how many were reset. */
export function resetLatencyEvents(event: string | null): number {
  if (event === null) {
    const n = events.size;
    events.clear();
    return n;
  }
  return events.delete(event) ? 1 : 0;
}

// ---- LATENCY DOCTOR / GRAPH ----------------------------------------------------------

interface LatencyStats {
  samples: number;
  avg: number;
  mad: number;
  period: number;
}

function analyze(ts: TimeSeries): LatencyStats {
  const samples = seriesSamples(ts);
  const st: LatencyStats = { samples: samples.length, avg: 0, mad: 0, period: 0 };
  if (samples.length === 0) return st;
  let sum = 0;
  let oldest = 0;
  for (const s of samples) {
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  st.avg = Math.floor(sum / samples.length);
  st.period = Math.floor(Date.now() / 1000) - oldest || 1;
  let dev = 0;
  for (const s of samples) dev += Math.abs(st.avg - s.latency);
  st.mad = Math.floor(dev / samples.length);
  return st;
}

export interface DoctorContext {
  threshold: number;
  slowlogSlowerThan: number;
  hz: number;
}

/** createLatencyReport for the events this server produces (commands, expiry). */
export function latencyReport(ctx: DoctorContext): string {
  if (events.size === 0 && ctx.threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  let report = "";
  let eventnum = 0;
  let advices = 0;
  let slowlogEnabled = false;
  let slowlogTuning = false;
  let slowlogInspect = false;
  let scheduler = false;
  let hz = false;
  let largeObjects = false;
  for (const [event, ts] of events) {
    eventnum++;
    if (eventnum === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const ls = analyze(ts);
    report += `${eventnum}. ${event}: ${ls.samples} latency spikes (average ${ls.avg}ms, mean deviation ${ls.mad}ms, period ${(ls.period / ls.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    if (event === "command") {
      if (ctx.slowlogSlowerThan < 0) {
        slowlogEnabled = true;
        advices++;
      } else if (Math.trunc(ctx.slowlogSlowerThan / 1000) > ctx.threshold) {
        slowlogTuning = true;
        advices++;
      }
      slowlogInspect = true;
      largeObjects = true;
      advices += 2;
    } else if (event === "fast-command") {
      scheduler = true;
      advices++;
    } else if (event === "expire-cycle") {
      hz = true;
      largeObjects = true;
      advices += 2;
    }
    report += "\n";
  }
  if (eventnum === 0 && advices === 0) {
    return report + "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
  }
  if (advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += "\nI have a few advices for you:\n\n";
  if (slowlogEnabled) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${ctx.threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (slowlogTuning) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${ctx.threshold * 1000}'.\n`;
  }
  if (slowlogInspect) {
    report += "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (scheduler) {
    report +=
      "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
      "  1) Lower the system load.\n" +
      "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
      '  3) Check if you have a "noisy neighbour" problem.\n' +
      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
      "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (hz && ctx.hz < 100) {
    report += "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (largeObjects) {
    report += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  return report;
}

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;
const CHARSET_FILL = "_o#";

function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.trunc(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.trunc(seconds / 3600)}h`;
  return `${Math.trunc(seconds / 86400)}d`;
}

/** latencyCommandGenSparkeline: a filled ASCII sparkline with "time ago" labels. */
export function latencyGraph(event: string, ts: TimeSeries): string {
  const samples = seriesSamples(ts);
  const now = Math.floor(Date.now() / 1000);
  let min = samples.length > 0 ? samples[0].latency : 0;
  let max = min;
  for (const s of samples) {
    if (s.latency < min) min = s.latency;
    if (s.latency > max) max = s.latency;
  }
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n${"-".repeat(GRAPH_COLS)}\n`;
  const values = samples.map((s) => s.latency);
  const labels = samples.map((s) => ago(now - s.time));
  for (let j = 0; j < values.length; j += GRAPH_COLS) {
    if (j !== 0) out += "\n";
    out += sparkRange(values, labels, j, Math.min(GRAPH_COLS, values.length - j), min, max);
  }
  return out;
}

function sparkRange(values: number[], labels: string[], offset: number, len: number, min: number, max: number): string {
  const relmax = max - min || 1;
  const steps = CHARSET_FILL.length * GRAPH_ROWS;
  let out = "";
  for (let row = 0; ; row++) {
    let loop = false;
    const chars = new Array<string>(len).fill(" ");
    for (let j = 0; j < len; j++) {
      const relval = values[j + offset] - min;
      let step = Math.trunc((relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < GRAPH_ROWS) {
        const charidx = step - (GRAPH_ROWS - row - 1) * CHARSET_FILL.length;
        loop = true;
        if (charidx >= 0 && charidx < CHARSET_FILL.length) chars[j] = CHARSET_FILL[charidx];
        else if (charidx >= CHARSET_FILL.length) chars[j] = "|";
      } else {
        // One blank row between the graph and the vertical labels.
        if (row === GRAPH_ROWS) {
          loop = true;
          break;
        }
        const label = labels[j + offset];
        const at = row - GRAPH_ROWS - 1;
        if (label.length > at) {
          loop = true;
          chars[j] = label[at];
        }
      }
    }
    if (!loop) return out;
    out += chars.join("") + "\n";
  }
}
