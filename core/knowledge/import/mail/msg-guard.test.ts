import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMsg } from './mail-message.ts';

// A real Outlook message (test/fixtures/msgreader), damaged the ways test/fuzz/parsers.test.ts
// found: before msg-guard.ts, each one made msgreader grow an array until V8 ended the process.
const OUTER = fs.readFileSync(
  path.resolve(import.meta.dirname, '../../../../test/fixtures/msgreader/Outer mail.msg'),
);

/** The compound file's layout: sector size, first directory sector, the sectors of its FAT. */
function layout(b: Buffer) {
  const sector = 1 << b.readUInt16LE(0x1e);
  const fatSectors = Array.from({ length: Math.min(109, b.readInt32LE(0x2c)) }, (_, i) =>
    b.readInt32LE(0x4c + 4 * i),
  );
  return { sector, dirStart: b.readInt32LE(0x30), fatSectors };
}

describe('parseMsg on damaged .msg files', () => {
  it('reads the undamaged file', () => {
    expect(parseMsg(OUTER).headers.subject).toBe('Outer mail');
  });

  it('stops at a loop in a block chain (the directory chain points back to itself)', () => {
    const b = Buffer.from(OUTER);
    const { sector, dirStart, fatSectors } = layout(b);
    const perFat = sector / 4;
    b.writeInt32LE(
      dirStart,
      (fatSectors[Math.floor(dirStart / perFat)]! + 1) * sector + (dirStart % perFat) * 4,
    );
    expect(() => parseMsg(b)).toThrow('its structure is damaged (a loop in its block chains)');
  });

  it('stops at a loop in the entry tree', () => {
    const b = Buffer.from(OUTER);
    const { sector, dirStart, fatSectors } = layout(b);
    const perFat = sector / 4;
    // The directory's sectors, through the FAT; entry i is in sector i / (sector / 128) of them.
    const chain = [dirStart];
    for (let s = dirStart; ;) {
      s = b.readInt32LE((fatSectors[Math.floor(s / perFat)]! + 1) * sector + (s % perFat) * 4);
      if (s < 0) break;
      chain.push(s);
    }
    const entryAt = (i: number) =>
      (chain[Math.floor(i / (sector / 128))]! + 1) * sector + (i % (sector / 128)) * 128;
    const child = b.readInt32LE(entryAt(0) + 0x4c); // the root entry's first child
    b.writeInt32LE(child, entryAt(child) + 0x48); // …whose right sibling is itself
    expect(() => parseMsg(b)).toThrow('its structure is damaged (a loop in its entry tree)');
  });

  it('refuses header counts larger than the file (a looping extra allocation table)', () => {
    const b = Buffer.from(OUTER);
    const { sector } = layout(b);
    b.writeInt32LE(0x7fffffff, 0x2c); // allocation table sectors
    b.writeInt32LE(0x7fffffff, 0x48); // extra allocation table sectors, from sector 1…
    b.writeInt32LE(1, 0x44);
    b.writeInt32LE(1, 2 * sector + 127 * 4); // …whose "next" is itself
    expect(() => parseMsg(b)).toThrow(
      /its header counts 2147483647 allocation table blocks in a file of \d+/,
    );
  });
});
