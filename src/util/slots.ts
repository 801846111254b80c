// Redis Cluster key → hash slot mapping: CRC16 (XMODEM) of the key, or of the first
// non-empty {hash tag}, modulo 16384.

export const SLOTS = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

export function crc16(b: Uint8Array, start = 0, end = b.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b[i]) & 0xff];
  return crc;
}

export function keyHashSlot(key: Uint8Array): number {
  const n = key.length;
  let s = 0;
  for (; s < n; s++) if (key[s] === 123 /* { */) break;
  if (s === n) return crc16(key) & (SLOTS - 1);
  let e = s + 1;
  for (; e < n; e++) if (key[e] === 125 /* } */) break;
  if (e === n || e === s + 1) return crc16(key) & (SLOTS - 1);
  return crc16(key, s + 1, e) & (SLOTS - 1);
}

/** Contiguous, near-equal slot ranges for `shards` workers: owner of slot s. */
export function slotOwnerTable(shards: number): Uint8Array {
  const t = new Uint8Array(SLOTS);
  for (let s = 0; s < SLOTS; s++) t[s] = Math.floor((s * shards) / SLOTS);
  return t;
}
