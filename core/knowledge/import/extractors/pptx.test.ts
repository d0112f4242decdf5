import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { deflatedZeros, makeZip, writeFixture } from '../../../../test/support/extractor-fixtures.ts';
import { extractFile } from '../extract.ts';
import { openZip } from './zip-book.ts';

const NS =
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' +
  'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const paragraphs = (...texts: string[]) => texts.map((t) => `<a:p><a:r><a:t>${t}</a:t></a:r></a:p>`).join('');
const shape = (ph: string | null, ...texts: string[]) =>
  `<p:sp><p:nvSpPr><p:cNvPr id="2" name="s"/><p:cNvSpPr/><p:nvPr>${ph === null ? '' : `<p:ph${ph ? ` type="${ph}"` : ''}/>`}</p:nvPr></p:nvSpPr>` +
  `<p:txBody><a:bodyPr/>${paragraphs(...texts)}</p:txBody></p:sp>`;
const slide = (body: string, attrs = '') =>
  `<p:sld ${NS}${attrs}><p:cSld><p:spTree>${body}</p:spTree></p:cSld></p:sld>`;
const rels = (items: [string, string, string][]) =>
  `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items
    .map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`)
    .join('')}</Relationships>`;

/** A deck whose slide order (presentation.xml) is not its part names' order. */
function deck(): Buffer {
  const table =
    '<p:graphicFrame><a:graphic><a:graphicData><a:tbl>' +
    `<a:tr><a:tc><a:txBody>${paragraphs('Visa')}</a:txBody></a:tc><a:tc><a:txBody>${paragraphs('Stay')}</a:txBody></a:tc></a:tr>` +
    `<a:tr><a:tc><a:txBody>${paragraphs('C1')}</a:txBody></a:tc><a:tc><a:txBody>${paragraphs('60 hari')}</a:txBody></a:tc></a:tr>` +
    '</a:tbl></a:graphicData></a:graphic></p:graphicFrame>';
  const alternate =
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">' +
    `<mc:Choice Requires="p14">${shape(null, 'Chosen text')}</mc:Choice><mc:Fallback>${shape(null, 'Chosen text')}</mc:Fallback></mc:AlternateContent>`;
  return makeZip([
    {
      name: 'ppt/presentation.xml',
      data: `<p:presentation ${NS}><p:sldIdLst><p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId2"/><p:sldId id="258" r:id="rId3"/><p:sldId id="259" r:id="rId4"/><p:sldId id="260" r:id="rId5"/></p:sldIdLst></p:presentation>`,
    },
    {
      name: 'ppt/_rels/presentation.xml.rels',
      data: rels([
        ['rId7', 'slide', 'slides/slide5.xml'],
        ['rId2', 'slide', 'slides/slide1.xml'],
        ['rId3', 'slide', '/ppt/slides/slide2.xml'],
        ['rId4', 'slide', 'slides/slide3.xml'],
        ['rId5', 'slide', 'slides/slide4.xml'],
      ]),
    },
    {
      name: 'ppt/slides/slide5.xml',
      data: slide(
        shape('title', 'Visa on arrival — “VoA”') +
          shape('', 'Berlaku 30 hari', 'Dapat diperpanjang sekali') +
          shape('sldNum', '1') +
          shape('ftr', 'Confidential') +
          table,
      ),
    },
    {
      name: 'ppt/slides/_rels/slide5.xml.rels',
      data: rels([['rId1', 'notesSlide', '../notesSlides/notesSlide9.xml']]),
    },
    {
      name: 'ppt/notesSlides/notesSlide9.xml',
      data: `<p:notes ${NS}><p:cSld><p:spTree>${shape('sldImg')}${shape('body', 'Ingatkan klien: paspor minimal 6 bulan.')}${shape('sldNum', '1')}</p:spTree></p:cSld></p:notes>`,
    },
    { name: 'ppt/slides/slide1.xml', data: slide(shape('ctrTitle', 'Bagian 2: Pajak')) },
    { name: 'ppt/slides/slide2.xml', data: slide('') },
    {
      name: 'ppt/slides/slide3.xml',
      data: slide(shape('title', 'Old rates') + shape('', 'Tarif 2019'), ' show="0"'),
    },
    { name: 'ppt/slides/slide4.xml', data: slide(shape(null, 'No title here') + alternate) },
    {
      name: 'docProps/core.xml',
      data: '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Briefing imigrasi</dc:title><dc:creator>Dewi Lestari</dc:creator></cp:coreProperties>',
    },
  ]);
}

describe('PPTX files', () => {
  it('reads slides in presentation order: titles as headings, slide numbers as pages, notes marked, hidden slides left out', async () => {
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'briefing.pptx', deck()));
    expect(doc).toMatchObject({
      title: 'Briefing imigrasi',
      author: 'Dewi Lestari',
      fileType: 'pptx',
      mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      pageCount: 5,
      warnings: ['hidden slide 4 left out'],
    });
    expect(doc.sections).toEqual([
      {
        headingPath: ['Visa on arrival — “VoA”'],
        text: 'Berlaku 30 hari\nDapat diperpanjang sekali\n\nVisa | Stay\nC1 | 60 hari',
        page: 1,
      },
      {
        headingPath: ['Visa on arrival — “VoA”', 'Speaker notes'],
        text: 'Ingatkan klien: paspor minimal 6 bulan.',
        page: 1,
      },
      // A slide with only its title is its title; the empty slide 3 says nothing.
      { headingPath: ['Bagian 2: Pajak'], text: 'Bagian 2: Pajak', page: 2 },
      { headingPath: [], text: 'No title here\n\nChosen text', page: 5 },
    ]);
  });

  it('names what is wrong with a file that is not a presentation', async () => {
    const dir = tempDir();
    const docx = makeZip([{ name: 'word/document.xml', data: '<w:document/>' }]);
    await expect(extractFile(writeFixture(dir, 'renamed.pptx', docx))).rejects.toMatchObject({
      reason: 'corrupt',
      message: 'renamed.pptx is not a PowerPoint presentation (it has no ppt/presentation.xml)',
    });
    const cut = deck().subarray(0, 300);
    await expect(extractFile(writeFixture(dir, 'cut.pptx', cut))).rejects.toMatchObject({
      reason: 'corrupt',
    });
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.from('EncryptedPackage', 'utf16le'),
    ]);
    await expect(extractFile(writeFixture(dir, 'locked.pptx', ole))).rejects.toMatchObject({
      reason: 'encrypted',
      message: 'locked.pptx is password-protected; save an unprotected copy',
    });
  });

  it('refuses a slide that inflates like a zip bomb before any XML is parsed', async () => {
    const dir = tempDir();
    const bomb = makeZip([
      { name: 'ppt/presentation.xml', data: `<p:presentation ${NS}/>` },
      { name: 'ppt/slides/slide1.xml', data: '', raw: deflatedZeros(64 * 1024 ** 2) },
    ]);
    await expect(extractFile(writeFixture(dir, 'bomb.pptx', bomb))).rejects.toMatchObject({
      reason: 'zip_bomb',
    });
  });

  it('a deck of hidden slides only has no text, and says why', async () => {
    const dir = tempDir();
    const hiddenOnly = makeZip([
      {
        name: 'ppt/presentation.xml',
        data: `<p:presentation ${NS}><p:sldIdLst><p:sldId r:id="rId1"/></p:sldIdLst></p:presentation>`,
      },
      { name: 'ppt/_rels/presentation.xml.rels', data: rels([['rId1', 'slide', 'slides/slide1.xml']]) },
      { name: 'ppt/slides/slide1.xml', data: slide(shape('title', 'Draft'), ' show="0"') },
    ]);
    await expect(extractFile(writeFixture(dir, 'draft.pptx', hiddenOnly))).rejects.toMatchObject({
      reason: 'empty',
      message: 'draft.pptx contains no text (hidden slide 1 left out)',
    });
  });

  it('reads a slide part once however often the slide list names it', async () => {
    const dir = tempDir();
    const ids = Array.from({ length: 200 }, (_, i) => `<p:sldId r:id="rId${i + 1}"/>`).join('');
    const repeated = makeZip([
      {
        name: 'ppt/presentation.xml',
        data: `<p:presentation ${NS}><p:sldIdLst>${ids}</p:sldIdLst></p:presentation>`,
      },
      {
        name: 'ppt/_rels/presentation.xml.rels',
        data: rels(Array.from({ length: 200 }, (_, i) => [`rId${i + 1}`, 'slide', 'slides/slide1.xml'])),
      },
      { name: 'ppt/slides/slide1.xml', data: slide(shape('title', 'Sekali') + shape('', 'Teks panjang')) },
    ]);
    const doc = await extractFile(writeFixture(dir, 'repeat.pptx', repeated));
    expect(doc.sections).toEqual([{ headingPath: ['Sekali'], text: 'Teks panjang', page: 1 }]);
    expect(doc.warnings).toEqual(['slides listed more than once were read once']);
  });

  it('charges every read of a part against the read budget', async () => {
    const zip = await openZip(
      makeZip([{ name: 'ppt/slides/slide1.xml', data: 'x'.repeat(600) }]),
      '/tmp/again.pptx',
      1000,
    );
    try {
      expect(await zip.text('ppt/slides/slide1.xml')).toHaveLength(600);
      await expect(zip.text('ppt/slides/slide1.xml')).rejects.toMatchObject({
        reason: 'zip_bomb',
        message:
          'again.pptx was refused as a possible zip bomb: reading its parts inflates more than 1000 bytes',
      });
    } finally {
      zip.close();
    }
  });

  it('refuses XML nested deeper than any real slide', async () => {
    const dir = tempDir();
    const deep = makeZip([
      {
        name: 'ppt/presentation.xml',
        data: `<p:presentation ${NS}><p:sldIdLst><p:sldId r:id="rId1"/></p:sldIdLst></p:presentation>`,
      },
      { name: 'ppt/_rels/presentation.xml.rels', data: rels([['rId1', 'slide', 'slides/slide1.xml']]) },
      {
        name: 'ppt/slides/slide1.xml',
        data: slide('<p:grpSp>'.repeat(6000) + shape('', 'dalam') + '</p:grpSp>'.repeat(6000)),
      },
    ]);
    await expect(extractFile(writeFixture(dir, 'deep.pptx', deep))).rejects.toMatchObject({
      reason: 'corrupt',
      message: expect.stringContaining('deep.pptx could not be read as') as unknown,
    });
    await expect(extractFile(writeFixture(dir, 'deep.pptx', deep))).rejects.toThrow(
      /XML nests more than 5,000 elements deep/,
    );
  });
});
