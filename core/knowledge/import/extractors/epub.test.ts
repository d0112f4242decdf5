import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { makeZip, writeFixture } from '../../../../test/support/extractor-fixtures.ts';
import type { ZipEntryInput } from '../../../../test/support/extractor-fixtures.ts';

const CONTAINER = `<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`;

const chapter = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Buku Saku</title></head><body>${body}</body></html>`;

function epub(files: Record<string, string>, extra: ZipEntryInput[] = []): Buffer {
  return makeZip([
    { name: 'mimetype', data: 'application/epub+zip', method: 'store' },
    { name: 'META-INF/container.xml', data: CONTAINER },
    ...Object.entries(files).map(([name, data]) => ({ name, data })),
    ...extra,
  ]);
}

const EPUB3_OPF = `<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Buku Saku Konsultan</dc:title></metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c2" href="text/chapter%202.xhtml" media-type="application/xhtml+xml"/>
    <item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine><itemref idref="nav" linear="no"/><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>`;

const NAV = `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<body><nav epub:type="landmarks"><ol><li><a href="text/ch1.xhtml">Start reading</a></li></ol></nav>
<nav epub:type="toc"><ol>
  <li><a href="text/ch1.xhtml">Pendahuluan</a></li>
  <li><a href="text/chapter%202.xhtml#top">Bab 2: Pajak</a></li>
</ol></nav></body></html>`;

describe('EPUB files', () => {
  it('follows the spine, names chapters from the EPUB 3 nav and keeps inner headings', async () => {
    const dir = tempDir();
    const book = epub({
      'OEBPS/content.opf': EPUB3_OPF,
      'OEBPS/nav.xhtml': NAV,
      'OEBPS/text/ch1.xhtml': chapter('<h1>Pendahuluan</h1><p>Buku ini membahas pajak.</p>'),
      'OEBPS/text/chapter 2.xhtml': chapter(
        '<p>Pengantar bab.</p><h2>PPh 21</h2><p>Tarif progresif.</p><h2>PPN</h2><p>Sebelas persen.</p>',
      ),
      'OEBPS/style.css': 'p { margin: 0 }',
    });
    const out = await extractFile(writeFixture(dir, 'buku saku.epub', book));
    expect(out).toEqual({
      title: 'Buku Saku Konsultan',
      fileType: 'epub',
      mime: 'application/epub+zip',
      sections: [
        { headingPath: ['Pendahuluan'], text: 'Buku ini membahas pajak.', page: null },
        { headingPath: ['Bab 2: Pajak'], text: 'Pengantar bab.', page: null },
        { headingPath: ['Bab 2: Pajak', 'PPh 21'], text: 'Tarif progresif.', page: null },
        { headingPath: ['Bab 2: Pajak', 'PPN'], text: 'Sebelas persen.', page: null },
      ],
      pageCount: null,
      warnings: [],
    });
  });

  it('reads EPUB 2 books through the NCX', async () => {
    const dir = tempDir();
    const opf = `<?xml version="1.0"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf" version="2.0">
      <opf:metadata><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Old Book</dc:title></opf:metadata>
      <opf:manifest><opf:item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
        <opf:item id="a" href="a.html" media-type="application/xhtml+xml"/></opf:manifest>
      <opf:spine toc="ncx"><opf:itemref idref="a"/></opf:spine></opf:package>`;
    const ncx = `<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap>
      <navPoint id="p1"><navLabel><text>Chapter One</text></navLabel><content src="a.html"/></navPoint>
      </navMap></ncx>`;
    const book = epub({
      'OEBPS/content.opf': opf,
      'OEBPS/toc.ncx': ncx,
      'OEBPS/a.html': chapter('<p>First words.</p>'),
    });
    const out = await extractFile(writeFixture(dir, 'old.epub', book));
    expect(out.title).toBe('Old Book');
    expect(out.sections).toEqual([{ headingPath: ['Chapter One'], text: 'First words.', page: null }]);
  });

  it('refuses DRM-encrypted chapters, but not obfuscated fonts', async () => {
    const dir = tempDir();
    const encryption = (algorithm: string, uri: string) => `<?xml version="1.0"?>
      <encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
        <enc:EncryptedData><enc:EncryptionMethod Algorithm="${algorithm}"/>
          <enc:CipherData><enc:CipherReference URI="${uri}"/></enc:CipherData></enc:EncryptedData></encryption>`;
    const files = {
      'OEBPS/content.opf': EPUB3_OPF,
      'OEBPS/nav.xhtml': NAV,
      'OEBPS/text/ch1.xhtml': chapter('<p>One.</p>'),
      'OEBPS/text/chapter 2.xhtml': chapter('<p>Two.</p>'),
    };
    const drm = epub({
      ...files,
      'META-INF/encryption.xml': encryption(
        'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
        'OEBPS/text/ch1.xhtml',
      ),
    });
    const err = await extractFile(writeFixture(dir, 'drm.epub', drm)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: 'encrypted',
      message: 'drm.epub is DRM-protected; its chapters are encrypted',
    });

    const fonts = epub({
      ...files,
      'META-INF/encryption.xml': encryption('http://www.idpf.org/2008/embedding', 'OEBPS/text/ch1.xhtml'),
    });
    const out = await extractFile(writeFixture(dir, 'fonts.epub', fonts));
    expect(out.sections.map((s) => s.text)).toEqual(['One.', 'Two.']);
  });

  it('reports an EPUB without a package document as corrupt', async () => {
    const dir = tempDir();
    const err = await extractFile(writeFixture(dir, 'broken.epub', epub({}))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: 'corrupt',
      message: 'broken.epub is not a valid EPUB (no package document)',
    });
  });
});
