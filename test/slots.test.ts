import { test, expect } from "bun:test";
import { crc16, keyHashSlot, slotOwnerTable } from "../src/util/slots.ts";

const enc = new TextEncoder();

test("CRC16 XMODEM check value from the cluster spec", () => {
  expect(crc16(enc.encode("123456789"))).toBe(0x31c3);
});

test("key hash slots match Redis Cluster", () => {
  expect(keyHashSlot(enc.encode("foo"))).toBe(12182);
  expect(keyHashSlot(enc.encode("bar"))).toBe(5061);
  expect(keyHashSlot(enc.encode("{user1000}.following"))).toBe(keyHashSlot(enc.encode("user1000")));
  expect(keyHashSlot(enc.encode("{}foo"))).toBe(crc16(enc.encode("{}foo")) & 16383);
  expect(keyHashSlot(enc.encode("foo{}{bar}"))).toBe(crc16(enc.encode("foo{}{bar}")) & 16383);
  expect(keyHashSlot(enc.encode("foo{{bar}}zap"))).toBe(keyHashSlot(enc.encode("{bar")));
  expect(keyHashSlot(enc.encode(""))).toBe(0);
});

test("slot ranges are contiguous and cover every slot", () => {
  for (const n of [1, 2, 3, 4, 7]) {
    const t = slotOwnerTable(n);
    expect(t[0]).toBe(0);
    expect(t[16383]).toBe(n - 1);
    for (let s = 1; s < 16384; s++) expect(t[s] - t[s - 1]).toBeGreaterThanOrEqual(0);
  }
});
