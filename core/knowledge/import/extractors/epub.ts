import path from 'node:path';
import { Parser } from 'htmlparser2';
import type { ExtractedSection, Extractor } from '../types.ts';
import { ExtractError, displayName } from '../extract-error.ts';
import { decodeText } from '../text-decode.ts';
import { htmlToSections, sectionsOrHeadings } from './html.ts';
import { openZip } from './zip-book.ts';
import type { ZipBook } from './zip-book.ts';

/**
 * EPUB: the OPF spine gives the reading order; each XHTML chapter goes through the HTML section
 * walker; the table of contents (EPUB 3 nav, else EPUB 2 NCX) names the chapters, and that name
 * heads the chapter's heading paths. The ZIP has passed the zip guard before this runs.
 */
export const extractEpub: Extractor = async ({ path: file, bytes, signal }) => {
  const name = displayName(file);
  const book = await openZip(bytes);
  try {
    const container = await book.text('META-INF/container.xml');
    const opfPath = container && attributeOf(container, 'rootfile', 'full-path');
    const opf = opfPath ? await book.text(opfPath) : null;
    if (!opfPath || !opf) {
      throw new ExtractError('corrupt', file, `${name} is not a valid EPUB (no package document)`);
    }
    const pkg = readPackage(opf, path.posix.dirname(opfPath));
    const encrypted = new Set(cipherReferences((await book.text('META-INF/encryption.xml')) ?? ''));
    const titles = await tocTitles(book, pkg);
    const sections: ExtractedSection[] = [];
    const headings: ExtractedSection[] = [];
    for (const href of pkg.spine) {
      signal.throwIfAborted();
      if (encrypted.has(href)) {
        throw new ExtractError('encrypted', file, `${name} is DRM-protected; its chapters are encrypted`);
      }
      if (href === pkg.navHref) continue;
      const bytesOfChapter = await book.bytes(href);
      if (!bytesOfChapter) continue;
      const chapter = htmlToSections(decodeText(bytesOfChapter).text);
      const chapterTitle = titles.get(href);
      const under = (section: ExtractedSection): ExtractedSection => ({
        ...section,
        headingPath:
          chapterTitle && !sameHeading(section.headingPath[0], chapterTitle)
            ? [chapterTitle, ...section.headingPath]
            : section.headingPath,
      });
      sections.push(...chapter.sections.map(under));
      headings.push(...chapter.headings.map(under));
    }
    return {
      title: pkg.title,
      fileType: 'epub',
      mime: 'application/epub+zip',
      // Decided for the whole book, as for one page: a book of headings only (an outline) is its headings.
      sections: sectionsOrHeadings({ sections, headings }),
      pageCount: null,
      warnings: [],
    };
  } finally {
    book.close();
  }
};

interface EpubPackage {
  title: string | null;
  /** Zip paths of the spine's (X)HTML documents, in reading order. */
  spine: string[];
  navHref: string | null;
  ncxHref: string | null;
}

function readPackage(opf: string, baseDir: string): EpubPackage {
  const manifest = new Map<string, { href: string; type: string; properties: string }>();
  const spineIds: string[] = [];
  let tocId: string | null = null;
  let title: string | null = null;
  let inTitle = false;
  let titleText = '';
  walkXml(opf, {
    open(tag, attrs) {
      if (tag === 'item' && attrs.id && attrs.href) {
        manifest.set(attrs.id, {
          href: resolveHref(baseDir, attrs.href),
          type: attrs['media-type'] ?? '',
          properties: attrs.properties ?? '',
        });
      } else if (tag === 'itemref' && attrs.idref && attrs.linear !== 'no') {
        spineIds.push(attrs.idref);
      } else if (tag === 'spine') {
        tocId = attrs.toc ?? null;
      } else if (tag === 'title' && title === null) {
        inTitle = true;
      }
    },
    text(data) {
      if (inTitle) titleText += data;
    },
    close(tag) {
      if (tag === 'title' && inTitle) {
        inTitle = false;
        title = titleText.replace(/\s+/g, ' ').trim() || null;
      }
    },
  });
  const items = [...manifest.values()];
  const spine = spineIds
    .map((id) => manifest.get(id))
    .filter((item) => item !== undefined && /html|xml/i.test(item.type))
    .map((item) => item!.href);
  const nav = items.find((item) => item.properties.split(/\s+/).includes('nav'));
  const ncx =
    (tocId ? manifest.get(tocId) : undefined) ??
    items.find((item) => item.type === 'application/x-dtbncx+xml');
  return { title, spine, navHref: nav?.href ?? null, ncxHref: ncx?.href ?? null };
}

/** Chapter file → its title in the table of contents (first entry that points at the file). */
async function tocTitles(book: ZipBook, pkg: EpubPackage): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const add = (baseDir: string, href: string | undefined, label: string) => {
    const text = label.replace(/\s+/g, ' ').trim();
    if (!href || !text) return;
    const target = resolveHref(baseDir, href);
    if (!titles.has(target)) titles.set(target, text);
  };
  const tocHref = pkg.navHref ?? pkg.ncxHref;
  const toc = tocHref ? await book.text(tocHref) : null;
  if (!tocHref || !toc) return titles;
  const baseDir = path.posix.dirname(tocHref);
  if (tocHref === pkg.navHref) {
    // EPUB 3: <nav epub:type="toc"> … <a href="chapter.xhtml#id">Title</a>
    let depth = 0;
    let tocDepth = 0;
    let done = false;
    let link: { href: string | undefined; text: string } | null = null;
    walkXml(toc, {
      open(tag, attrs) {
        depth++;
        const isToc = /\btoc\b/.test(attrs['epub:type'] ?? '') || attrs.role === 'doc-toc';
        if (tag === 'nav' && !done && tocDepth === 0 && isToc) tocDepth = depth;
        if (tag === 'a' && tocDepth > 0) link = { href: attrs.href, text: '' };
      },
      text(data) {
        if (link) link.text += data;
      },
      close(tag) {
        if (tag === 'a' && link) {
          add(baseDir, link.href, link.text);
          link = null;
        }
        if (depth === tocDepth) {
          tocDepth = 0;
          done = true;
        }
        depth--;
      },
    });
  } else {
    // EPUB 2: <navPoint><navLabel><text>Title</text></navLabel><content src="chapter.xhtml"/>
    let label = '';
    let inText = false;
    walkXml(toc, {
      open(tag, attrs) {
        if (tag === 'navpoint') label = '';
        else if (tag === 'text') inText = true;
        else if (tag === 'content') add(baseDir, attrs.src, label);
      },
      text(data) {
        if (inText) label += data;
      },
      close(tag) {
        if (tag === 'text') inText = false;
      },
    });
  }
  return titles;
}

function cipherReferences(encryptionXml: string): string[] {
  const refs: string[] = [];
  let fontObfuscation = false;
  walkXml(encryptionXml, {
    open(tag, attrs) {
      if (tag === 'encrypteddata') fontObfuscation = false;
      if (tag === 'encryptionmethod') {
        fontObfuscation = /idpf\.org\/2008\/embedding|adobe\.com\/pdf\/obfuscation/.test(
          attrs.algorithm ?? '',
        );
      }
      if (tag === 'cipherreference' && attrs.uri && !fontObfuscation) refs.push(resolveHref('', attrs.uri));
    },
  });
  return refs;
}

function sameHeading(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(a).includes(norm(b)) || norm(b).includes(norm(a));
}

function resolveHref(baseDir: string, href: string): string {
  const withoutFragment = href.split('#')[0] ?? '';
  let decoded = withoutFragment;
  try {
    decoded = decodeURIComponent(withoutFragment);
  } catch {
    // keep it as written
  }
  return path.posix.normalize(path.posix.join(baseDir, decoded)).replace(/^\.\//, '');
}

function attributeOf(xml: string, tag: string, attribute: string): string | null {
  let value: string | null = null;
  walkXml(xml, {
    open(name, attrs) {
      if (value === null && name === tag && attrs[attribute]) value = attrs[attribute];
    },
  });
  return value;
}

interface XmlHandlers {
  open(tag: string, attrs: Record<string, string>): void;
  text?(data: string): void;
  close?(tag: string): void;
}

/** Streams XML to handlers with lower-cased local names (`opf:item` → `item`). */
function walkXml(xml: string, handlers: XmlHandlers): void {
  const local = (name: string) =>
    (name.includes(':') ? name.slice(name.indexOf(':') + 1) : name).toLowerCase();
  const parser = new Parser(
    {
      onopentag: (name, attrs) => handlers.open(local(name), attrs),
      ontext: (data) => handlers.text?.(data),
      onclosetag: (name) => handlers.close?.(local(name)),
    },
    { xmlMode: true, decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(xml);
  parser.end();
}
