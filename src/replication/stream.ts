// RESP encoding of replication stream commands: canonical multibulk, exactly as Redis writes
// its stream, so a replica can count offsets from the arguments it parsed.

const enc = new TextEncoder();

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Bytes of argv as a RESP multibulk command. */
export function commandSize(argv: Uint8Array[]): number {
  let n = 3 + digits(argv.length);
  for (const a of argv) n += 5 + digits(a.length) + a.length;
  return n;
}

function putInt(buf: Uint8Array, at: number, n: number): number {
  const d = digits(n);
  for (let i = at + d - 1; i >= at; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + d;
}

/** Reusable output for encoding stream commands without allocating per command. */
export class StreamEncoder {
  private buf = new Uint8Array(64 * 1024);

  /** The encoded command; valid until the next encode(). */
  encode(argv: Uint8Array[]): Uint8Array {
    const need = commandSize(argv);
    if (need > this.buf.length) this.buf = new Uint8Array(Math.max(need, this.buf.length * 2));
    const b = this.buf;
    let o = 0;
    b[o++] = 42; // *
    o = putInt(b, o, argv.length);
    b[o++] = 13;
    b[o++] = 10;
    for (const a of argv) {
      b[o++] = 36; // $
      o = putInt(b, o, a.length);
      b[o++] = 13;
      b[o++] = 10;
      b.set(a, o);
      o += a.length;
      b[o++] = 13;
      b[o++] = 10;
    }
    return b.subarray(0, o);
  }
}

export function ascii(s: string): Uint8Array {
  return enc.encode(s);
}
