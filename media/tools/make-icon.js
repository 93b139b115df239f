#!/usr/bin/env node
// Draws the extension icon (media/icon.png, 128x128 RGBA) from shapes, with no image library:
// a violet rounded square, four "code lines", a marker bar beside the two AI lines (as the
// editor marks them) and a spark. Anti-aliased by 4x4 supersampling. Run: node media/tools/make-icon.js
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SIZE = 128;
const SS = 4;

/** Signed distance to a rounded rectangle centred at (cx, cy) with half-size (hw, hh), radius r. */
function roundRect(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Inside test for a four-point spark centred at (cx, cy): |dx|^p + |dy|^p <= R^p with p < 1. */
function spark(x, y, cx, cy, R) {
  const p = 0.5;
  return Math.pow(Math.abs(x - cx) / R, p) + Math.pow(Math.abs(y - cy) / R, p) <= 1;
}

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

const TOP = [76, 29, 149]; // #4c1d95
const BOTTOM = [30, 27, 75]; // #1e1b4b
const LINE = [226, 232, 240];
const AI_LINE = [221, 214, 254]; // #ddd6fe
const MARK = [167, 139, 250]; // #a78bfa
const SPARK = [250, 245, 255];

/** Colour (rgba 0..1) of one sample point. */
function sample(x, y) {
  if (roundRect(x, y, 64, 64, 60, 60, 22) > 0) return [0, 0, 0, 0];
  let c = mix(TOP, BOTTOM, y / SIZE);
  const lines = [
    { y: 40, x0: 30, x1: 78, ai: false },
    { y: 58, x0: 38, x1: 96, ai: true },
    { y: 76, x0: 38, x1: 86, ai: true },
    { y: 94, x0: 30, x1: 64, ai: false },
  ];
  for (const l of lines) {
    if (roundRect(x, y, (l.x0 + l.x1) / 2, l.y, (l.x1 - l.x0) / 2, 4.5, 4.5) <= 0) c = l.ai ? AI_LINE : mix(LINE, c, 0.35);
  }
  if (roundRect(x, y, 22, 67, 3, 17, 3) <= 0) c = MARK;
  if (spark(x, y, 98, 32, 17)) c = SPARK;
  return [c[0] / 255, c[1] / 255, c[2] / 255, 1];
}

function render() {
  const px = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const s = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
          r += s[0] * s[3];
          g += s[1] * s[3];
          b += s[2] * s[3];
          a += s[3];
        }
      }
      const i = (y * SIZE + x) * 4;
      px[i] = a ? Math.round((r / a) * 255) : 0;
      px[i + 1] = a ? Math.round((g / a) * 255) : 0;
      px[i + 2] = a ? Math.round((b / a) * 255) : 0;
      px[i + 3] = Math.round((a / (SS * SS)) * 255);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels as a PNG (colour type 6, 8 bits, filter 0 on every row). */
function png(pixels, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = path.join(__dirname, '..', 'icon.png');
fs.writeFileSync(out, png(render(), SIZE, SIZE));
console.log(`wrote ${path.relative(process.cwd(), out)} (${SIZE}x${SIZE})`);
