import iconv from 'iconv-lite';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';
import { extractFile } from '../extract.ts';
import { readRtf } from './rtf-reader.ts';

/** RTF is 7-bit text; \'hh bytes are what the code page makes of them. Written as latin1 bytes. */
const rtf = (body: string) => Buffer.from(body, 'latin1');

describe('RTF files', () => {
  it('reads headings from styles and outline levels, code pages, \\u escapes, tables and \\info', async () => {
    const doc = rtf(
      String.raw`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\froman\fcharset204 Times New Roman Cyr;}{\f2\fnil\fcharset2 Symbol;}}` +
        String.raw`{\colortbl;\red0\green0\blue0;}` +
        String.raw`{\stylesheet{\s0 Normal;}{\s1\outlinelevel0 heading 1;}{\s2 Heading 2;}{\s3\sbasedon0 Preformatted Text;}{\*\cs10 Default Paragraph Font;}}` +
        String.raw`{\info{\title Izin Tinggal Terbatas}{\author Rapha\'ebl Hertzog}{\company Falcot}{\creatim\yr2024\mo3\dy1}}` +
        String.raw`{\*\generator Microsoft Word 16;}{\header {\pard Kop surat\par}}` +
        String.raw`\pard\plain\s1 Persyaratan \'93KITAS\'94\par` +
        String.raw`\pard\plain Pemohon harus memiliki paspor \'97 berlaku minimal 6 bulan.{\v tersembunyi} Caf\'e9 na\u239?ve {\uc0\u8364 }50.\par` +
        String.raw`\pard\plain\f1 \'cf\'f0\'e8\'e2\'e5\'f2\par` +
        String.raw`\pard\plain{\field{\*\fldinst HYPERLINK "https://imigrasi.go.id"}{\fldrslt imigrasi.go.id}} \u-10179\'3f\u-8704\'3f\par` +
        String.raw`{\*\bkmkstart x}{\*\unknowndestination ignored}` +
        String.raw`\pard\plain\s2 Biaya\par` +
        String.raw`\trowd\cellx2000\cellx4000\pard\intbl Jenis\cell Biaya\cell\row` +
        String.raw`\trowd\cellx2000\cellx4000\pard\intbl E33G\cell Rp 1.500.000\line per tahun\cell\row` +
        String.raw`\pard\plain Catatan{\super\chftn}{\footnote\pard\plain\chftn Lihat Permenkumham 22/2023.} akhir.\par` +
        String.raw`\pard\plain\s3 $ cek   --status\par\pard\plain\s3   selesai\par` +
        String.raw`\pard\plain{\listtext\'95\tab}\ls1 Paspor\par{\listtext\'95\tab}\ls1 Foto\par` +
        String.raw`{\pict\pngblip 89504e470d0a1a0a}\pard\plain Data\bin4 {}\x sesudah biner\par}`,
    );
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'kitas.rtf', doc));
    expect(out).toMatchObject({
      title: 'Izin Tinggal Terbatas',
      author: 'Raphaël Hertzog',
      fileType: 'rtf',
      mime: 'application/rtf',
      pageCount: null,
    });
    expect(out.sections).toEqual([
      {
        headingPath: ['Persyaratan “KITAS”'],
        text: [
          'Pemohon harus memiliki paspor — berlaku minimal 6 bulan. Café naïve €50.',
          'Привет',
          'imigrasi.go.id 😀',
        ].join('\n\n'),
        page: null,
      },
      {
        headingPath: ['Persyaratan “KITAS”', 'Biaya'],
        text: [
          'Jenis | Biaya\nE33G | Rp 1.500.000\nper tahun',
          'Catatan akhir.',
          'Lihat Permenkumham 22/2023.',
          '$ cek   --status\n  selesai',
          '• Paspor\n• Foto',
          'Data sesudah biner',
        ].join('\n\n'),
        page: null,
      },
    ]);
  });

  it('decodes a document in another code page and \\uc2 fallbacks', async () => {
    const doc = rtf(
      String.raw`{\rtf1\ansi\ansicpg1251{\fonttbl{\f0\fnil Arial;}}\f0 \'c4\'ee\'ea\'f3\'ec\'e5\'ed\'f2 \uc2\u1071\'df\'df!\par}`,
    );
    const dir = tempDir();
    const out = await extractFile(writeFixture(dir, 'ru.rtf', doc));
    expect(out.sections).toEqual([{ headingPath: [], text: 'Документ Я!', page: null }]);
    expect(out.title).toBe('ru');
  });

  it('is recognised by its content whatever its name, and refused when it is not RTF', async () => {
    const dir = tempDir();
    const named = await extractFile(
      writeFixture(dir, 'memo.unknown', rtf(String.raw`{\rtf1\ansi Halo dunia\par}`)),
    );
    expect(named).toMatchObject({ fileType: 'rtf', sections: [{ text: 'Halo dunia' }] });
    await expect(extractFile(writeFixture(dir, 'plain.rtf', 'just text'))).rejects.toMatchObject({
      reason: 'corrupt',
      message: 'plain.rtf is not an RTF document: its content is damaged or of another kind',
    });
    await expect(extractFile(writeFixture(dir, 'empty.rtf', ''))).rejects.toMatchObject({
      reason: 'corrupt',
      message: 'empty.rtf is empty (0 bytes), not a valid RTF document',
    });
  });

  it('skips the content of groups nested deeper than 1,000, and reads on after them', () => {
    const deep = '{'.repeat(1200) + 'terlalu dalam' + '}'.repeat(1200);
    const out = readRtf(rtf(String.raw`{\rtf1\ansi {\b tebal}` + deep + String.raw` dangkal\par}`));
    expect(out.blocks).toEqual([
      { kind: 'paragraph', text: 'tebal dangkal', level: null, list: false, pre: false },
    ]);
  });

  it('decodes long runs of double-byte characters in pieces that split no character', () => {
    const decode = vi.spyOn(iconv, 'decode');
    try {
      // One single byte (€ in cp936) first, so a 64 KB piece ends halfway through a character.
      const body = String.raw`\'80` + String.raw`\'c4\'e3`.repeat(40_000);
      const out = readRtf(rtf(String.raw`{\rtf1\ansi\ansicpg936 ` + body + String.raw`\par}`));
      expect(out.blocks).toEqual([
        { kind: 'paragraph', text: '€' + '你'.repeat(40_000), level: null, list: false, pre: false },
      ]);
      const sizes = decode.mock.calls.map(([bytes]) => (bytes as Buffer).length);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    } finally {
      decode.mockRestore();
    }
  });

  it("reads \\'hh only with two hex digits, and counts a control word as one \\uN fallback character", () => {
    const out = readRtf(rtf(String.raw`{\rtf1\ansi Caf\'e9 B\'4zC\par\uc1\u8212\emdash x\par}`));
    expect(out.blocks.map((b) => (b.kind === 'paragraph' ? b.text : ''))).toEqual(['Café B4zC', '—x']);
  });
});
