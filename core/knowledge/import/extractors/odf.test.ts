import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { makeZip, writeFixture } from '../../../../test/support/extractor-fixtures.ts';
import { extractFile } from '../extract.ts';
import { odfInlineText } from './odf-text.ts';

// Prefixes other than the usual ones: names are resolved through xmlns, not taken as written.
const NS =
  'xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:t="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ' +
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ' +
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ' +
  'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" ' +
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"';

function odf(kind: string, content: string, extra: { name: string; data: string }[] = []): Buffer {
  return makeZip([
    { name: 'mimetype', data: `application/vnd.oasis.opendocument.${kind}`, method: 'store' },
    { name: 'content.xml', data: `<o:document-content ${NS}>${content}</o:document-content>` },
    {
      name: 'meta.xml',
      data: `<o:document-meta ${NS}><o:meta><dc:title>Panduan KITAS</dc:title><meta:initial-creator>Budi Santoso</meta:initial-creator><dc:creator>Sari</dc:creator></o:meta></o:document-meta>`,
    },
    ...extra,
  ]);
}

describe('ODT files', () => {
  it('reads outline-level headings, paragraphs, lists, tables, code and footnotes', async () => {
    const body =
      '<o:body><o:text><t:sequence-decls><t:sequence-decl t:name="Table"/></t:sequence-decls>' +
      '<t:table-of-content><t:index-body><t:p>1 Izin tinggal ..... 1</t:p></t:index-body></t:table-of-content>' +
      '<t:h t:outline-level="1">1 Izin tinggal</t:h>' +
      '<t:p>KITAS berlaku<t:s t:c="2"/>satu tahun.<t:note t:note-class="footnote"><t:note-citation>1</t:note-citation><t:note-body><t:p>Pasal 48 UU 6/2011.</t:p></t:note-body></t:note> Bisa diperpanjang.</t:p>' +
      '<t:list><t:list-item><t:p>Paspor</t:p></t:list-item><t:list-item><t:p>Sponsor</t:p><t:list><t:list-item><t:p>Surat jaminan</t:p></t:list-item></t:list></t:list-item></t:list>' +
      '<t:h t:outline-level="2">1.1 Biaya</t:h>' +
      '<table:table><table:table-row><table:table-cell><t:p>Jenis</t:p></table:table-cell><table:table-cell><t:p>Biaya</t:p></table:table-cell></table:table-row>' +
      '<table:table-row><table:table-cell><t:p>E33G</t:p></table:table-cell><table:table-cell><t:p>Rp 1.500.000</t:p></table:table-cell></table:table-row></table:table>' +
      '<t:p t:style-name="P1">$ cek-status --id 42</t:p><t:p t:style-name="P1">  selesai</t:p>' +
      '<t:p><o:annotation><t:p>komentar reviewer</t:p></o:annotation>Catatan akhir<t:line-break/>baris dua</t:p>' +
      '<t:section t:name="draft" t:display="none"><t:p>Draf yang disembunyikan</t:p></t:section>' +
      '</o:text></o:body>';
    const styles =
      '<o:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Preformatted_20_Text"/></o:automatic-styles>';
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'panduan.odt', odf('text', styles + body)));
    expect(doc).toMatchObject({
      title: 'Panduan KITAS',
      author: 'Budi Santoso',
      fileType: 'odt',
      warnings: [],
    });
    expect(doc.sections).toEqual([
      {
        headingPath: ['1 Izin tinggal'],
        text: 'KITAS berlaku satu tahun. Bisa diperpanjang.\n\nPasal 48 UU 6/2011.\n\n- Paspor\n- Sponsor\n  - Surat jaminan',
        page: null,
      },
      {
        headingPath: ['1 Izin tinggal', '1.1 Biaya'],
        text: 'Jenis | Biaya\nE33G | Rp 1.500.000\n\n$ cek-status --id 42\n  selesai\n\nCatatan akhir\nbaris dua',
        page: null,
      },
    ]);
  });

  it('says which kind of OpenDocument file it is when the extension is wrong, and refuses encrypted ones', async () => {
    const dir = tempDir();
    const text = odf('text', '<o:body><o:text><t:p>Halo</t:p></o:text></o:body>');
    await expect(extractFile(writeFixture(dir, 'sheet.ods', text))).rejects.toMatchObject({
      reason: 'unsupported',
      message: 'sheet.ods is not an OpenDocument spreadsheet (.ods): it is an OpenDocument text (.odt)',
    });
    const manifest = {
      name: 'META-INF/manifest.xml',
      data: '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum="x"/></manifest:file-entry></manifest:manifest>',
    };
    const locked = makeZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 'store' },
      { name: 'content.xml', data: Buffer.from([0x8f, 0x12, 0xee, 0x01]) },
      manifest,
    ]);
    await expect(extractFile(writeFixture(dir, 'locked.odt', locked))).rejects.toMatchObject({
      reason: 'encrypted',
      message: 'locked.odt is password-protected; save an unprotected copy',
    });
    const noContent = makeZip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' }]);
    await expect(extractFile(writeFixture(dir, 'hollow.odt', noContent))).rejects.toMatchObject({
      reason: 'corrupt',
      message: 'hollow.odt is not an OpenDocument text (.odt) (it has no content.xml)',
    });
  });
});

describe('ODS files', () => {
  it('makes a section per visible sheet; repeated cells spelt out, empty tails and hidden sheets left out', async () => {
    const cell = (v: string, attrs = '') => `<table:table-cell${attrs}><t:p>${v}</t:p></table:table-cell>`;
    const content =
      '<o:automatic-styles><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></o:automatic-styles>' +
      '<o:body><o:spreadsheet>' +
      '<table:table table:name="Klien">' +
      `<table:table-row>${cell('Nama')}${cell('Kota')}${cell('Status')}</table:table-row>` +
      `<table:table-row>${cell('PT Maju')}<table:table-cell table:number-columns-repeated="1"/>${cell('aktif')}</table:table-row>` +
      `<table:table-row table:number-rows-repeated="2">${cell('CV Sentosa')}${cell('Bandung', ' table:number-columns-repeated="2"')}</table:table-row>` +
      '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>' +
      '</table:table>' +
      '<table:table table:name="Kosong"><table:table-row><table:table-cell/></table:table-row></table:table>' +
      `<table:table table:name="Rahasia" table:style-name="ta2"><table:table-row>${cell('Gaji direktur')}</table:table-row></table:table>` +
      `<table:table table:name="Besar"><table:table-row table:number-rows-repeated="5000">${cell('x')}</table:table-row></table:table>` +
      '</o:spreadsheet></o:body>';
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'klien.ods', odf('spreadsheet', content)));
    expect(doc).toMatchObject({
      title: 'Panduan KITAS',
      author: 'Budi Santoso',
      fileType: 'ods',
      warnings: ['hidden sheets left out: Rahasia', 'cell runs repeated more than 1000 times were cut'],
    });
    expect(doc.sections[0]).toEqual({
      headingPath: ['Klien'],
      text: [
        'Nama: PT Maju; Status: aktif',
        'Nama: CV Sentosa; Kota: Bandung; Status: Bandung',
        'Nama: CV Sentosa; Kota: Bandung; Status: Bandung',
      ].join('\n'),
      page: null,
    });
    expect(doc.sections.map((s) => s.headingPath[0])).toEqual(['Klien', 'Besar']);
    expect(doc.sections[1]!.text.split('\n')).toHaveLength(1000);
  });
});

describe('ODS cell budget', () => {
  it('stops a sheet whose row and column repeats multiply at a million cells', async () => {
    const run = (n: number) =>
      `<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="600"><t:p>${n}</t:p></table:table-cell></table:table-row>`;
    const content = `<o:body><o:spreadsheet><table:table table:name="Bom">${run(1)}${run(2)}${run(3)}</table:table></o:spreadsheet></o:body>`;
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'bom.ods', odf('spreadsheet', content)));
    expect(doc.warnings).toEqual(['sheets cut at 1,000,000 cells: Bom']);
    const lines = doc.sections[0]!.text.split('\n');
    // 1,000 rows of 600 cells, the 666 rows of the second run that fit, then one row of the 400
    // cells left: a million in all.
    expect(lines).toHaveLength(1667);
    expect(lines.at(-2)!.split('; ')).toHaveLength(600);
    expect(lines.at(-1)!.split('; ')).toEqual(new Array<string>(400).fill('3'));
  });
});

describe('ODF spaces', () => {
  it('cuts a run of <text:s> to 8 spaces outside preformatted text', () => {
    expect(odfInlineText('text:s', { 'text:c': '1000000' })).toBe(' '.repeat(8));
    expect(odfInlineText('text:s', { 'text:c': '3' })).toBe('   ');
    expect(odfInlineText('text:s', { 'text:c': '12' }, true)).toBe(' '.repeat(12));
  });
});

describe('ODP files', () => {
  it('reads slides in order: title frames as headings, notes, hidden pages left out, furniture skipped', async () => {
    const frame = (cls: string, ...texts: string[]) =>
      `<draw:frame presentation:class="${cls}"><draw:text-box>${texts.map((t) => `<t:p>${t}</t:p>`).join('')}</draw:text-box></draw:frame>`;
    const content =
      '<o:automatic-styles><style:style style:name="dpH" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style></o:automatic-styles>' +
      '<o:body><o:presentation>' +
      `<draw:page draw:name="a">${frame('title', 'Pajak orang asing')}<draw:g>${frame('outline', 'Wajib pajak dalam negeri', 'setelah 183 hari')}<draw:custom-shape><t:p>NPWP</t:p></draw:custom-shape></draw:g>${frame('page-number', '1')}` +
      `<presentation:notes><draw:page-thumbnail presentation:class="page"/>${frame('notes', 'Tanyakan tanggal kedatangan.')}</presentation:notes></draw:page>` +
      `<draw:page draw:name="b" draw:style-name="dpH">${frame('title', 'Cadangan')}</draw:page>` +
      `<draw:page draw:name="c">${frame('title', 'Penutup')}</draw:page>` +
      '<draw:page draw:name="d"/>' +
      `<draw:page draw:name="e"><draw:frame><table:table><table:table-row><table:table-cell><t:p>SPT</t:p></table:table-cell><table:table-cell><t:p>31 Maret</t:p></table:table-cell></table:table-row></table:table></draw:frame></draw:page>` +
      '</o:presentation></o:body>';
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'pajak.odp', odf('presentation', content)));
    expect(doc).toMatchObject({
      title: 'Panduan KITAS',
      author: 'Budi Santoso',
      fileType: 'odp',
      pageCount: 5,
      warnings: ['hidden slide 2 left out'],
    });
    expect(doc.sections).toEqual([
      {
        headingPath: ['Pajak orang asing'],
        text: 'Wajib pajak dalam negeri\nsetelah 183 hari\n\nNPWP',
        page: 1,
      },
      { headingPath: ['Pajak orang asing', 'Speaker notes'], text: 'Tanyakan tanggal kedatangan.', page: 1 },
      { headingPath: ['Penutup'], text: 'Penutup', page: 3 },
      { headingPath: [], text: 'SPT | 31 Maret', page: 5 },
    ]);
  });
});
