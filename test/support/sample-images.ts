/**
 * Image payloads for tests and benchmarks, generated in memory: a real (tiny) PNG, a PNG header
 * with no pixels, and
 * JPEG-like payloads of any size that start and end like a JPEG file. The handler only checks
 * the magic bytes and the local runtime server does not decode, so that is enough here.
 */
import { deflateSync } from "node:zlib";

/** A valid RGB PNG of the given size, filled with one colour. */
export function solidPng(
  width = 2,
  height = 2,
  rgb: readonly [number, number, number] = [200, 120, 40],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit depth, RGB, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(pixels)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * A PNG that is only a signature, an IHDR claiming `width` x `height` (8-bit RGB) and IEND: no
 * pixel data at all. What a decompression bomb shows a decoder first.
 */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** `size` bytes that look like a baseline JFIF file (SOI, APP0, filler, EOI); the filler depends on `seed`. */
export function jpegLike(size = 1024, seed = 1): Buffer {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]);
  const tail = Buffer.from([0xff, 0xd9]);
  const filler = Buffer.alloc(Math.max(0, size - head.length - tail.length));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < filler.length; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    filler[i] = state >>> 24;
  }
  return Buffer.concat([head, filler, tail]);
}

/** A GIF header: a real image format the model does not accept. */
export const GIF_BYTES = Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1");

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
