// Minimal RESP reply decoder, used where one client's reply is assembled from several
// shards' replies (MGET across shards, SCAN cursors, summed counts).

export type ReplyValue = number | bigint | string | Uint8Array | null | ReplyError | ReplyValue[];

export class ReplyError {
  constructor(readonly message: string) {}
}

const dec = new TextDecoder();

function line(b: Uint8Array, pos: number): [string, number] {
  let i = pos;
  while (b[i] !== 13) i++;
  return [dec.decode(b.subarray(pos, i)), i + 2];
}

/** Decode one reply starting at pos; returns the value and the offset after it. */
export function decodeReply(b: Uint8Array, pos = 0): [ReplyValue, number] {
  const t = b[pos];
  const [head, next] = line(b, pos + 1);
  switch (t) {
    case 43: // +
    case 44: // ,
    case 40: // (
      return [head, next];
    case 45: // -
      return [new ReplyError(head), next];
    case 58: {
      const n = Number(head);
      return [Number.isSafeInteger(n) ? n : BigInt(head), next];
    }
    case 35: // #
      return [head === "t" ? 1 : 0, next];
    case 95: // _
      return [null, next];
    case 36: // $
    case 61: {
      const n = Number(head);
      if (n < 0) return [null, next];
      return [b.subarray(next, next + n), next + n + 2];
    }
    case 42: // *
    case 126: // ~
    case 62: // >
    case 37: {
      let n = Number(head);
      if (n < 0) return [null, next];
      if (t === 37) n *= 2;
      const arr: ReplyValue[] = new Array(n);
      let p = next;
      for (let i = 0; i < n; i++) [arr[i], p] = decodeReply(b, p);
      return [arr, p];
    }
    default:
      throw new Error(`bad reply type ${String.fromCharCode(t)}`);
  }
}

/** Offset just past the reply starting at pos (to split concatenated replies). */
export function replyEnd(b: Uint8Array, pos = 0): number {
  return decodeReply(b, pos)[1];
}
