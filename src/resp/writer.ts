// Reply encoder: writes RESP2/RESP3 straight into one reusable, growable byte buffer per
// connection, so a pipeline of replies becomes a single socket write.

import { formatDouble } from "../util/bytes.ts";

const CRLF0 = 13;
const CRLF1 = 10;
const INITIAL = 16 * 1024;
const SMALL_COPY = 64;
/** A buffer grown past this by one big reply is dropped after it is flushed. */
const SHRINK_ABOVE = 1024 * 1024;

export type Proto = 2 | 3;

/** Called for every error reply; INFO errorstats counts by the first word. */
export type ErrorHook = (message: string) => void;

const asciiCache: Uint8Array[] = [];
for (let i = 0; i < 10000; i++) asciiCache.push(new TextEncoder().encode(String(i)));
const encoder = new TextEncoder();

export class ReplyWriter {
  buf: Uint8Array;
  len = 0;
  proto: Proto = 2;
  onError: ErrorHook | null = null;

  constructor(capacity = INITIAL) {
    this.buf = new Uint8Array(capacity);
  }

  /** Drop everything written (after a flush). */
  reset(): void {
    this.len = 0;
    if (this.buf.length > SHRINK_ABOVE) this.buf = new Uint8Array(INITIAL);
  }

  ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  /** Raw bytes already in RESP form (replies produced by another shard). */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private ascii(s: string): void {
    this.ensure(s.length);
    const buf = this.buf;
    let o = this.len;
    for (let i = 0; i < s.length; i++) buf[o++] = s.charCodeAt(i);
    this.len = o;
  }

  private text(s: string): void {
    // Fast path for ASCII; fall back to UTF-8 encoding.
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 127) {
        const b = encoder.encode(s);
        this.ensure(b.length);
        this.buf.set(b, this.len);
        this.len += b.length;
        return;
      }
    }
    this.ascii(s);
  }

  private num(n: number): void {
    if (n >= 0 && n < 10000) {
      const d = asciiCache[n];
      this.ensure(d.length);
      this.buf.set(d, this.len);
      this.len += d.length;
      return;
    }
    this.ascii(String(n));
  }

  private crlf(): void {
    this.ensure(2);
    this.buf[this.len++] = CRLF0;
    this.buf[this.len++] = CRLF1;
  }

  private head(type: number, n: number): void {
    this.ensure(24);
    this.buf[this.len++] = type;
    this.num(n);
    this.crlf();
  }

  /** +OK */
  ok(): void {
    this.ensure(5);
    const b = this.buf;
    let o = this.len;
    b[o++] = 43; b[o++] = 79; b[o++] = 75; b[o++] = 13; b[o++] = 10;
    this.len = o;
  }

  /** Simple string (+...). Must not contain CR/LF. */
  simple(s: string): void {
    this.ensure(1);
    this.buf[this.len++] = 43;
    this.text(s);
    this.crlf();
  }

  /**
   * Error reply. `message` is the full text after '-', starting with the error code:
   * "ERR wrong number of arguments for 'get' command", "WRONGTYPE ...".
   */
  error(message: string): void {
    if (this.onError) this.onError(message);
    this.ensure(1);
    this.buf[this.len++] = 45;
    this.text(message.replace(/[\r\n]+/g, " "));
    this.crlf();
  }

  int(n: number | bigint): void {
    this.ensure(1);
    this.buf[this.len++] = 58;
    if (typeof n === "number") this.num(n);
    else this.ascii(n.toString());
    this.crlf();
  }

  /** Bulk string from bytes; null is the null bulk ($-1 / RESP3 _). */
  bulk(b: Uint8Array | null): void {
    if (b === null) return this.nil();
    this.bulkSlice(b, 0, b.length);
  }

  /** Bulk string from a slice of a larger buffer (values stored in keyspace slabs). */
  bulkSlice(src: Uint8Array, start: number, length: number): void {
    this.head(36, length);
    this.ensure(length + 2);
    const buf = this.buf;
    let o = this.len;
    // TypedArray.set (and the view it needs) costs more than a short byte loop in JSC.
    if (length < SMALL_COPY) {
      for (let i = 0; i < length; i++) buf[o++] = src[start + i];
    } else {
      buf.set(start === 0 && length === src.length ? src : src.subarray(start, start + length), o);
      o += length;
    }
    buf[o++] = CRLF0;
    buf[o++] = CRLF1;
    this.len = o;
  }

  /** Bulk string from JS text (UTF-8). */
  bulkStr(s: string): void {
    const b = encoder.encode(s);
    this.bulk(b);
  }

  /** Integer rendered as a bulk string (INCRBYFLOAT, config values). */
  bulkNum(n: number | bigint): void {
    this.bulkStr(String(n));
  }

  /** Null bulk reply: RESP2 $-1, RESP3 _. */
  nil(): void {
    if (this.proto === 3) this.ascii("_\r\n");
    else this.ascii("$-1\r\n");
  }

  /** Null array reply: RESP2 *-1, RESP3 _. */
  nilArray(): void {
    if (this.proto === 3) this.ascii("_\r\n");
    else this.ascii("*-1\r\n");
  }

  array(n: number): void {
    this.head(42, n);
  }

  /** Map header; RESP2 renders it as a flat array of 2n elements. */
  map(n: number): void {
    if (this.proto === 3) this.head(37, n);
    else this.head(42, n * 2);
  }

  /** Set header; RESP2 renders it as an array. */
  set(n: number): void {
    if (this.proto === 3) this.head(126, n);
    else this.head(42, n);
  }

  /** Push header (pub/sub messages); RESP2 renders it as an array. */
  push(n: number): void {
    if (this.proto === 3) this.head(62, n);
    else this.head(42, n);
  }

  /** Attribute-free double: RESP3 ",1.5", RESP2 a bulk string. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.proto === 3) {
      this.ensure(1);
      this.buf[this.len++] = 44;
      this.ascii(s);
      this.crlf();
    } else {
      this.bulkStr(s);
    }
  }

  /** RESP3 boolean; RESP2 renders it as integer 1/0. */
  bool(v: boolean): void {
    if (this.proto === 3) this.ascii(v ? "#t\r\n" : "#f\r\n");
    else this.ascii(v ? ":1\r\n" : ":0\r\n");
  }

  /** RESP3 verbatim string (e.g. INFO, CLIENT INFO); RESP2 renders it as a bulk string. */
  verbatim(s: string, format = "txt"): void {
    if (this.proto !== 3) return this.bulkStr(s);
    const b = encoder.encode(s);
    this.head(61, b.length + 4);
    this.ascii(format + ":");
    this.ensure(b.length + 2);
    this.buf.set(b, this.len);
    this.len += b.length;
    this.crlf();
  }

  /** RESP3 big number; RESP2 renders it as a bulk string. */
  bigNumber(n: bigint): void {
    if (this.proto === 3) {
      this.ensure(1);
      this.buf[this.len++] = 40;
      this.ascii(n.toString());
      this.crlf();
    } else {
      this.bulkStr(n.toString());
    }
  }

  /** Array of bulk strings. */
  bulks(items: (Uint8Array | null)[]): void {
    this.array(items.length);
    for (const it of items) this.bulk(it);
  }

  /** Array of JS strings as bulk strings. */
  strs(items: string[]): void {
    this.array(items.length);
    for (const it of items) this.bulkStr(it);
  }

  /** Bytes written so far (to slice off one reply produced for another shard). */
  take(from: number): Uint8Array {
    return this.buf.slice(from, this.len);
  }
}
