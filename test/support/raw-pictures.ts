/**
 * Pictures and PDFs made byte by byte for the OCR guards: sizes and shapes no real scanner makes
 * (a PNG a million pixels wide, a page five million points long, a TIFF whose page chain loops),
 * so each is built here rather than kept as a fixture.
 */
import zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A grey PNG, `pixel(x, y)` (0–255) for each pixel; white when not given. */
export function grayPng(width: number, height: number, pixel?: (x: number, y: number) => number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // 8 bits, greyscale (colour type 0)
  const row = Buffer.alloc(width + 1, 255);
  row[0] = 0; // filter: none
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    if (pixel) for (let x = 0; x < width; x++) row[x + 1] = pixel(x, y);
    rows.push(pixel ? Buffer.from(row) : row);
  }
  const idat = zlib.deflateSync(Buffer.concat(rows), { level: 1 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF (MediaBox `pageW` × `pageH` points) painting one white grey picture of `w` × `h` pixels over it. */
export function picturePdf(w: number, h: number, pageW: number, pageH: number): Buffer {
  const image = zlib.deflateSync(Buffer.alloc(w * h, 255), { level: 1 });
  const content = Buffer.from(`q ${pageW} 0 0 ${pageH} 0 0 cm /Im0 Do Q`);
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`${dict}\nstream\n`), data, Buffer.from('\nendstream')]);
  const objects = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageW} ${pageH}] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>`,
    ),
    stream(`<< /Length ${content.length} >>`, content),
    stream(
      `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${image.length} >>`,
      image,
    ),
  ];
  const parts = [Buffer.from('%PDF-1.7\n')];
  let offset = parts[0]!.length;
  const xref: number[] = [];
  objects.forEach((body, i) => {
    xref.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    offset += obj.length;
  });
  const table = xref.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${table}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

/** A 38-byte TIFF: one 100 × 100 page whose link to the next page points back at itself. */
export function loopingTiff(): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 * 2 + 4);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(2, 8);
  // ImageWidth (256) and ImageLength (257), SHORT, one value: 100.
  b.writeUInt16LE(256, 10);
  b.writeUInt16LE(3, 12);
  b.writeUInt32LE(1, 14);
  b.writeUInt16LE(100, 18);
  b.writeUInt16LE(257, 22);
  b.writeUInt16LE(3, 24);
  b.writeUInt32LE(1, 26);
  b.writeUInt16LE(100, 30);
  b.writeUInt32LE(8, 34); // the next page: this one again
  return b;
}

/** A photo-like picture (720 × 480, no text): soft waves of grey under noise, the same each run. */
export function photoLike(): Buffer {
  let seed = 7;
  const noise = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5;
  return grayPng(720, 480, (x, y) =>
    Math.max(0, Math.min(255, Math.round(128 + 80 * Math.sin(x / 37) * Math.cos(y / 23) + noise() * 90))),
  );
}
