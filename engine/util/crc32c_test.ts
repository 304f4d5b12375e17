import { crc32c, maskCrc, unmaskCrc } from "./crc32c.ts";

function reference(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.test("crc32c() matches the bitwise reference on random inputs of every small length", () => {
  let seed = 7;
  for (let n = 0; n < 200; n++) {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const got = crc32c(data);
    const want = reference(data);
    if (got !== want) throw new Error(`length ${n}: got ${got.toString(16)}, want ${want.toString(16)}`);
  }
});

Deno.test("crc32c() extends incrementally and detects a flipped bit", () => {
  const data = new TextEncoder().encode("the quick brown fox jumps over the lazy dog");
  const whole = crc32c(data);
  const split = crc32c(data.subarray(17), crc32c(data.subarray(0, 17)));
  if (whole !== split) throw new Error(`incremental ${split} != whole ${whole}`);
  data[5]! ^= 1;
  if (crc32c(data) === whole) throw new Error("a flipped bit was not detected");
  if (unmaskCrc(maskCrc(whole)) !== whole || maskCrc(whole) === whole) throw new Error("mask is wrong");
});
