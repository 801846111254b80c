// Incremental RESP request parser. Commands are parsed straight out of the socket's chunk;
// only an incomplete tail is copied into the connection's query buffer. Arguments are
// subarray views of that memory: valid until the handler returns, so anything kept past
// the command (list elements, MULTI queues) must be copied.

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const MAX_MULTIBULK = 1024 * 1024;

export class ProtocolError extends Error {}

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulk: number;
  /** client-query-buffer-limit */
  maxQuery: number;
}

export type CommandSink = (argv: Uint8Array[]) => boolean | void;

export class RequestParser {
  private qbuf: Uint8Array = new Uint8Array(0);
  private qlen = 0;
  /** Bytes still expected for the command being assembled (lets us pre-size the buffer). */
  private want = 0;

  constructor(public limits: ParserLimits) {}

  /** Bytes buffered but not yet parsed (CLIENT LIST qbuf=). */
  get pending(): number {
    return this.qlen;
  }

  get capacity(): number {
    return this.qbuf.length;
  }

  /**
   * Feed a chunk. Calls `sink` for each complete command; if sink returns false, parsing
   * stops and the unparsed remainder is kept for resume(). Throws ProtocolError.
   */
  feed(chunk: Uint8Array, sink: CommandSink): void {
    if (this.qlen === 0) {
      const used = this.parseAll(chunk, 0, chunk.length, sink);
      if (used < chunk.length) this.keep(chunk, used, chunk.length);
      return;
    }
    this.append(chunk);
    this.drain(sink);
  }

  /** Buffer a chunk without parsing it (the client is paused). */
  hold(chunk: Uint8Array): void {
    this.append(chunk);
  }

  /** Continue parsing what is buffered (after a sink paused). */
  drain(sink: CommandSink): void {
    if (this.qlen === 0) return;
    const used = this.parseAll(this.qbuf, 0, this.qlen, sink);
    if (used > 0) {
      this.qbuf.copyWithin(0, used, this.qlen);
      this.qlen -= used;
    }
    if (this.qlen === 0 && this.qbuf.length > 1024 * 1024) this.qbuf = new Uint8Array(0);
  }

  private keep(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const cap = Math.max(n, this.want, 4096);
    if (this.qbuf.length < cap) this.qbuf = new Uint8Array(cap);
    this.qbuf.set(src.subarray(from, to), 0);
    this.qlen = n;
  }

  private append(chunk: Uint8Array): void {
    const need = this.qlen + chunk.length;
    if (need > this.qbuf.length) {
      let cap = Math.max(this.qbuf.length * 2, 4096);
      while (cap < need) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(this.qbuf.subarray(0, this.qlen));
      this.qbuf = nb;
    }
    this.qbuf.set(chunk, this.qlen);
    this.qlen = need;
    if (this.qlen > this.limits.maxQuery) throw new ProtocolError("query buffer limit");
  }

  /** Parse complete commands in buf[pos, end); returns the offset of the first unparsed byte. */
  private parseAll(buf: Uint8Array, pos: number, end: number, sink: CommandSink): number {
    while (pos < end) {
      const start = pos;
      let argv: Uint8Array[] | null;
      if (buf[pos] === 42 /* * */) {
        argv = this.parseMultibulk(buf, pos, end);
      } else {
        argv = this.parseInline(buf, pos, end);
      }
      if (argv === null) return start;
      pos = this.nextPos;
      this.want = 0;
      if (argv.length === 0) continue;
      if (sink(argv) === false) return pos;
    }
    return pos;
  }

  private nextPos = 0;

  private findCRLF(buf: Uint8Array, pos: number, end: number): number {
    for (let i = pos; i < end - 1; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10) return i;
    }
    return -1;
  }

  private parseMultibulk(buf: Uint8Array, pos: number, end: number): Uint8Array[] | null {
    const lineEnd = this.findCRLF(buf, pos, end);
    if (lineEnd < 0) {
      if (end - pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError("Protocol error: too big mbulk count string");
      return null;
    }
    const count = readInt(buf, pos + 1, lineEnd);
    if (count === null || count > MAX_MULTIBULK) throw new ProtocolError("Protocol error: invalid multibulk length");
    pos = lineEnd + 2;
    if (count <= 0) {
      this.nextPos = pos;
      return [];
    }
    const argv: Uint8Array[] = new Array(count);
    for (let i = 0; i < count; i++) {
      if (pos >= end) return this.need(end - pos);
      if (buf[pos] !== 36 /* $ */) {
        throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`);
      }
      const le = this.findCRLF(buf, pos, end);
      if (le < 0) {
        if (end - pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError("Protocol error: too big bulk count string");
        return null;
      }
      const len = readInt(buf, pos + 1, le);
      if (len === null || len < 0 || len > this.limits.maxBulk) throw new ProtocolError("Protocol error: invalid bulk length");
      pos = le + 2;
      if (pos + len + 2 > end) return this.need(len + 2 + (count - i - 1) * 8);
      argv[i] = arg(buf, pos, len);
      pos += len + 2;
    }
    this.nextPos = pos;
    return argv;
  }

  private need(n: number): null {
    this.want = n + 4096;
    return null;
  }

  private parseInline(buf: Uint8Array, pos: number, end: number): Uint8Array[] | null {
    let nl = -1;
    for (let i = pos; i < end; i++) {
      if (buf[i] === 10) {
        nl = i;
        break;
      }
    }
    if (nl < 0) {
      if (end - pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError("Protocol error: too big inline request");
      return null;
    }
    let lineEnd = nl;
    if (lineEnd > pos && buf[lineEnd - 1] === 13) lineEnd--;
    this.nextPos = nl + 1;
    const argv = splitArgs(buf.subarray(pos, lineEnd));
    if (argv === null) throw new ProtocolError("Protocol error: unbalanced quotes in request");
    return argv;
  }
}

/**
 * One argument. In JSC a view (subarray) costs about three times a small fresh array plus
 * a byte loop, so short arguments — command names, keys, small values — are copied.
 */
const COPY_BELOW = 48;
function arg(buf: Uint8Array, pos: number, len: number): Uint8Array {
  if (len >= COPY_BELOW) return buf.subarray(pos, pos + len);
  const a = new Uint8Array(len);
  for (let j = 0; j < len; j++) a[j] = buf[pos + j];
  return a;
}

function readInt(buf: Uint8Array, from: number, to: number): number | null {
  if (from >= to) return null;
  let neg = false;
  if (buf[from] === 45) {
    neg = true;
    from++;
  }
  if (to - from > 18 || from >= to) return null;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexVal(c: number): number {
  if (c <= 57) return c - 48;
  return (c | 0x20) - 87;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** sdssplitargs: split a line into arguments honouring "double" and 'single' quotes. */
export function splitArgs(line: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line[p])) p++;
    if (p >= n) return out;
    const cur: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      if (inq) {
        if (p >= n) return null;
        const c = line[p];
        if (c === 92 && p + 3 < n && line[p + 1] === 120 && isHex(line[p + 2]) && isHex(line[p + 3])) {
          cur.push(hexVal(line[p + 2]) * 16 + hexVal(line[p + 3]));
          p += 3;
        } else if (c === 92 && p + 1 < n) {
          p++;
          const e = line[p];
          cur.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34) {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (p >= n) return null;
        const c = line[p];
        if (c === 92 && p + 1 < n && line[p + 1] === 39) {
          p++;
          cur.push(39);
        } else if (c === 39) {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else {
          cur.push(c);
        }
      } else {
        if (p >= n) {
          done = true;
          break;
        }
        const c = line[p];
        if (isSpace(c)) {
          done = true;
        } else if (c === 34) {
          inq = true;
        } else if (c === 39) {
          insq = true;
        } else {
          cur.push(c);
        }
      }
      if (p < n) p++;
    }
    out.push(Uint8Array.from(cur));
  }
}
