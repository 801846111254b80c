import { test, expect } from "bun:test";
import { Ring } from "../src/server/ring.ts";

test("messages come out in order across many wrap-arounds", () => {
  const ring = new Ring(Ring.create(1024));
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 2000; round++) {
    // Write a few variable-size messages, then read some: exercises wrapping and full rings.
    for (let k = 0; k < 3; k++) {
      const len = 1 + ((next * 37) % 200);
      const body = new Uint8Array(len).fill(next & 255);
      if (ring.write(body)) next++;
    }
    for (let k = 0; k < 2; k++) {
      const m = ring.read();
      if (m === null) break;
      expect(m.length).toBe(1 + ((expected * 37) % 200));
      expect(m[0]).toBe(expected & 255);
      ring.release();
      expected++;
    }
  }
  for (let m = ring.read(); m !== null; m = ring.read()) {
    expect(m[0]).toBe(expected & 255);
    ring.release();
    expected++;
  }
  expect(expected).toBe(next);
});

test("a full ring refuses writes until the reader releases", () => {
  const ring = new Ring(Ring.create(256));
  const body = new Uint8Array(100);
  expect(ring.write(body)).toBe(true);
  expect(ring.write(body)).toBe(true);
  expect(ring.write(body)).toBe(false);
  ring.read();
  ring.release();
  expect(ring.write(body)).toBe(true);
});
