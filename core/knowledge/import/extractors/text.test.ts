import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { decodeText, sniffTextKind } from '../text-decode.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';

const SAMPLE = 'Café “Pustaka” — naïve résumé\nbaris kedua';

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeText(Buffer.from(SAMPLE, 'utf8'))).toEqual({ text: SAMPLE, encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE, 'utf8')]);
    expect(decodeText(bom)).toEqual({ text: SAMPLE, encoding: 'utf-8' });
  });

  it('reads UTF-16 LE and BE with a BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]);
    expect(decodeText(le)).toEqual({ text: SAMPLE, encoding: 'utf16le' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SAMPLE, 'utf16le').swap16()]);
    expect(decodeText(be)).toEqual({ text: SAMPLE, encoding: 'utf16be' });
  });

  it('recognises UTF-16 without a BOM from its NUL pattern', () => {
    const text = 'Laporan keuangan tahun 2024\nPendapatan naik.';
    expect(decodeText(Buffer.from(text, 'utf16le'))).toEqual({ text, encoding: 'utf16le' });
    expect(decodeText(Buffer.from(text, 'utf16le').swap16())).toEqual({ text, encoding: 'utf16be' });
  });

  it('falls back to Windows-1252 for Latin-1 bytes (smart quotes included)', () => {
    const bytes = iconv.encode(SAMPLE, 'windows-1252');
    expect(bytes.includes(0x93)).toBe(true); // “ in Windows-1252
    expect(decodeText(bytes).text).toBe(SAMPLE);
    const latin1 = Buffer.from('Ça coûte 5 € à Zürich', 'latin1'); // € is not Latin-1: becomes '¬'
    expect(decodeText(latin1).text).toBe(latin1.toString('latin1'));
  });

  it('uses a declared charset for bytes that are not UTF-8', () => {
    const bytes = iconv.encode('Привет, мир', 'koi8-r');
    expect(decodeText(bytes, 'koi8-r')).toEqual({ text: 'Привет, мир', encoding: 'koi8-r' });
  });
});

describe('sniffTextKind', () => {
  it('tells text, UTF-16 and binary apart', () => {
    expect(sniffTextKind(Buffer.from('plain text\twith tabs\r\n'))).toBe('text');
    expect(sniffTextKind(Buffer.from('abc', 'utf16le'))).toBe('utf16le');
    expect(sniffTextKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]))).toBe('binary');
    expect(sniffTextKind(Buffer.from('x\x01\x02\x03\x04\x05\x06y\x07\x08'))).toBe('binary');
    expect(sniffTextKind(Buffer.alloc(0))).toBe('text');
  });
});

describe('text files', () => {
  it('extracts a Latin-1 .txt as one section, normalised', async () => {
    const dir = tempDir();
    const file = writeFixture(
      dir,
      'catatan.txt',
      iconv.encode('Judul\r\n\r\n\r\n\r\nIsi  \r\nakhir', 'windows-1252'),
    );
    const doc = await extractFile(file);
    expect(doc).toEqual({
      title: 'catatan',
      fileType: 'text',
      mime: 'text/plain',
      sections: [{ headingPath: [], text: 'Judul\n\nIsi\nakhir', page: null }],
      pageCount: null,
      warnings: [],
    });
  });

  it('extracts UTF-16 text named .log', async () => {
    const dir = tempDir();
    const file = writeFixture(
      dir,
      'server.log',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('09:00 start\n09:01 ready', 'utf16le')]),
    );
    expect((await extractFile(file)).sections[0]?.text).toBe('09:00 start\n09:01 ready');
  });
});

describe('code files', () => {
  it('splits at top-level definitions with the file name and signature as heading path', async () => {
    const dir = tempDir();
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  step${i}();`).join('\n');
    const source = [
      "import fs from 'node:fs';",
      '',
      'export function first() {',
      body(12),
      '}',
      '',
      'export class Second {',
      body(3),
      '}',
      'function third() {',
      body(12),
      '}',
    ].join('\n');
    const doc = await extractFile(writeFixture(dir, 'tool.ts', source));
    expect(doc.fileType).toBe('code');
    expect(doc.mime).toBe('text/x-typescript');
    expect(doc.sections.map((s) => s.headingPath)).toEqual([
      ['tool.ts', 'export function first()'],
      ['tool.ts', 'export class Second'],
    ]);
    expect(doc.sections[0]?.text.startsWith("import fs from 'node:fs';\n\nexport function first() {")).toBe(
      true,
    );
    // 'function third' starts less than 12 lines after 'class Second', so it stays in that section.
    expect(doc.sections[1]?.text).toContain('function third() {');
    expect(doc.sections.map((s) => s.text).join('\n\n')).toBe(source);
  });

  it('keeps a short script whole under its file name', async () => {
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'deploy.sh', '#!/bin/sh\nset -e\necho "deploy"\n'));
    expect(doc.sections).toEqual([
      { headingPath: ['deploy.sh'], text: '#!/bin/sh\nset -e\necho "deploy"', page: null },
    ]);
    expect(doc.title).toBe('deploy.sh');
  });
});

describe('JSON files', () => {
  it('flattens JSON into path: value lines', async () => {
    const dir = tempDir();
    const json = {
      client: { name: 'PT Maju', 'tax id': '01.234' },
      projects: [{ code: 'A1', budget: 1500, active: true }, { code: 'B2' }],
      notes: null,
      tags: [],
    };
    const doc = await extractFile(writeFixture(dir, 'client.json', JSON.stringify(json, null, 2)));
    expect(doc.sections[0]?.text).toBe(
      [
        'client.name: PT Maju',
        'client."tax id": 01.234',
        'projects[0].code: A1',
        'projects[0].budget: 1500',
        'projects[0].active: true',
        'projects[1].code: B2',
        'notes: null',
        'tags: []',
      ].join('\n'),
    );
    expect(doc.warnings).toEqual([]);
  });

  it('numbers JSON Lines records by line', async () => {
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'events.jsonl', '{"a":1}\n\n{"a":2,"b":"x"}\n'));
    expect(doc.sections[0]?.text).toBe('[1].a: 1\n\n[3].a: 2\n[3].b: x');
  });

  it('keeps invalid JSON as text with a warning', async () => {
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'broken.json', '{"a": 1,, }'));
    expect(doc.sections[0]?.text).toBe('{"a": 1,, }');
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/^not valid JSON: .*; indexed as plain text$/);
  });
});

describe('decodeText for other scripts', () => {
  it.each([
    ['windows-1251', 'Привет, мир. Это тестовый документ на русском языке для проверки.'],
    ['koi8-r', 'Привет, мир. Это тестовый документ на русском языке для проверки.'],
    ['shift_jis', '日本語のテキストです。これはテスト文書です。文字コードの判定をします。'],
    ['gb18030', '这是一个中文测试文档，用于检测字符编码。我们希望它能正确识别。'],
  ])('detects %s', (encoding, text) => {
    expect(decodeText(iconv.encode(text, encoding)).text).toBe(text);
  });
});
