// Draws images/icon.png (128×128): three stacked feature maps, a filter window on the
// front one and the smaller map it produces. Run: node images/make-icon.mjs
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const size = 128;
const ss = 4; // supersampling per axis
const big = size * ss;
const px = new Float32Array(big * big * 4);

function fill(inside, [r, g, b, a = 1]) {
  for (let y = 0; y < big; y++) {
    for (let x = 0; x < big; x++) {
      if (!inside((x + 0.5) / ss, (y + 0.5) / ss)) continue;
      const i = (y * big + x) * 4;
      const k = 1 - a;
      px[i] = px[i] * k + r * a;
      px[i + 1] = px[i + 1] * k + g * a;
      px[i + 2] = px[i + 2] * k + b * a;
      px[i + 3] = px[i + 3] * k + a;
    }
  }
}
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const frame = (x0, y0, x1, y1, w) => (x, y) => rect(x0, y0, x1, y1)(x, y) && !rect(x0 + w, y0 + w, x1 - w, y1 - w)(x, y);
const rgb = (hex, a = 1) => [parseInt(hex.slice(1, 3), 16) / 255, parseInt(hex.slice(3, 5), 16) / 255, parseInt(hex.slice(5, 7), 16) / 255, a];

// background
fill(roundRect(4, 4, 124, 124, 22), rgb("#18243d"));
// three feature maps, back to front
const maps = [
  [30, 14, "#2f6f8f"],
  [22, 22, "#3a8fb0"],
  [14, 30, "#4fb3d6"],
];
for (const [x, y, color] of maps) {
  fill(rect(x, y, x + 58, y + 58), rgb(color));
  fill(frame(x, y, x + 58, y + 58, 2), rgb("#0d1526", 0.55));
}
// grid on the front map
for (let i = 1; i < 4; i++) {
  const t = 14 + (58 / 4) * i;
  fill(rect(t - 0.6, 30, t + 0.6, 88), rgb("#0d1526", 0.25));
  fill(rect(14, t + 16 - 0.6, 72, t + 16 + 0.6), rgb("#0d1526", 0.25));
}
// the filter window (3×3 of the grid) on the front map
fill(frame(20, 36, 52, 68, 3), rgb("#ffb347"));
// lines from the window to the output neuron
const line = (ax, ay, bx, by, w) => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (w / 2) ** 2;
};
fill(line(52, 36, 98, 78, 2), rgb("#ffb347", 0.8));
fill(line(52, 68, 98, 90, 2), rgb("#ffb347", 0.8));
// the output map, smaller, and its neuron
fill(rect(84, 70, 114, 100), rgb("#e9eef7"));
fill(frame(84, 70, 114, 100, 2), rgb("#0d1526", 0.5));
fill(rect(94, 76, 104, 86), rgb("#ff8c1a"));

// downsample and encode
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let y = 0; y < size; y++) {
  raw[y * (size * 4 + 1)] = 0;
  for (let x = 0; x < size; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
      const i = ((y * ss + sy) * big + x * ss + sx) * 4;
      r += px[i]; g += px[i + 1]; b += px[i + 2]; a += px[i + 3];
    }
    const n = ss * ss;
    const o = y * (size * 4 + 1) + 1 + x * 4;
    // colours were blended over transparent black: un-premultiply
    const alpha = a / n;
    raw[o] = alpha ? Math.round((r / n / alpha) * 255) : 0;
    raw[o + 1] = alpha ? Math.round((g / n / alpha) * 255) : 0;
    raw[o + 2] = alpha ? Math.round((b / n / alpha) * 255) : 0;
    raw[o + 3] = Math.round(alpha * 255);
  }
}
const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0);
ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
writeFileSync(fileURLToPath(new URL("icon.png", import.meta.url)), png);
console.log(`icon.png: ${png.length} bytes`);
