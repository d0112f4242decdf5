import { Parser } from 'htmlparser2';

/**
 * The XML of Office Open XML (PPTX) and OpenDocument parts, walked as a stream (htmlparser2 in XML
 * mode, no DOM). Prefixes are the writer's choice, so names are resolved through their xmlns
 * declarations to the usual prefixes below: handlers see `text:p`, `a:t`, `presentation:class`
 * whatever the file called them. Names in namespaces not listed keep the prefix they were written
 * with; unprefixed attributes stay bare.
 */
const PREFIXES: Record<string, string> = {
  'urn:oasis:names:tc:opendocument:xmlns:office:1.0': 'office',
  'urn:oasis:names:tc:opendocument:xmlns:style:1.0': 'style',
  'urn:oasis:names:tc:opendocument:xmlns:text:1.0': 'text',
  'urn:oasis:names:tc:opendocument:xmlns:table:1.0': 'table',
  'urn:oasis:names:tc:opendocument:xmlns:drawing:1.0': 'draw',
  'urn:oasis:names:tc:opendocument:xmlns:presentation:1.0': 'presentation',
  'urn:oasis:names:tc:opendocument:xmlns:meta:1.0': 'meta',
  'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0': 'manifest',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://schemas.openxmlformats.org/drawingml/2006/main': 'a',
  'http://purl.oclc.org/ooxml/drawingml/main': 'a',
  'http://schemas.openxmlformats.org/presentationml/2006/main': 'p',
  'http://purl.oclc.org/ooxml/presentationml/main': 'p',
  'http://schemas.openxmlformats.org/officeDocument/2006/relationships': 'r',
  'http://purl.oclc.org/ooxml/officeDocument/relationships': 'r',
  'http://schemas.openxmlformats.org/package/2006/relationships': 'rel',
  'http://schemas.openxmlformats.org/package/2006/metadata/core-properties': 'cp',
  'http://schemas.openxmlformats.org/markup-compatibility/2006': 'mc',
  'http://schemas.openxmlformats.org/drawingml/2006/diagram': 'dgm',
};

export interface XmlHandlers {
  open?(name: string, attrs: Record<string, string>): void;
  text?(data: string): void;
  close?(name: string): void;
}

/** Deeper than any real document; a parser walking deeper is being fed a nesting bomb. */
export const MAX_XML_DEPTH = 5000;

/**
 * Walks `xml`, calling the handlers with resolved names. Elements nested deeper than MAX_XML_DEPTH
 * throw an Error, which extractFile reports as ExtractError 'corrupt' naming the file (the walker
 * is shared by parts and formats that do not know the file's name).
 */
export function walkOfficeXml(xml: string, handlers: XmlHandlers): void {
  // Each prefix's bindings, innermost last; each open element's declared prefixes, to undo on close.
  const bindings = new Map<string, string[]>();
  const declared: (string[] | null)[] = [];
  const resolve = (qname: string, isAttribute: boolean): string => {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    if (colon < 0 && isAttribute) return qname;
    const uri = bindings.get(prefix)?.at(-1);
    const known = uri === undefined ? undefined : PREFIXES[uri];
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    if (known) return `${known}:${local}`;
    return qname;
  };
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (declared.length >= MAX_XML_DEPTH) {
          throw new Error(`its XML nests more than ${MAX_XML_DEPTH.toLocaleString('en')} elements deep`);
        }
        let mine: string[] | null = null;
        for (const key in attribs) {
          if (key === 'xmlns' || key.startsWith('xmlns:')) {
            const prefix = key === 'xmlns' ? '' : key.slice(6);
            const stack = bindings.get(prefix);
            if (stack) stack.push(attribs[key]!);
            else bindings.set(prefix, [attribs[key]!]);
            (mine ??= []).push(prefix);
          }
        }
        declared.push(mine);
        if (!handlers.open) return;
        const attrs: Record<string, string> = {};
        for (const key in attribs) {
          if (key !== 'xmlns' && !key.startsWith('xmlns:')) attrs[resolve(key, true)] = attribs[key]!;
        }
        handlers.open(resolve(name, false), attrs);
      },
      ontext(data) {
        handlers.text?.(data);
      },
      onclosetag(name) {
        // The element's own declarations still apply to its end tag.
        handlers.close?.(resolve(name, false));
        for (const prefix of declared.pop() ?? []) bindings.get(prefix)?.pop();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
}

/** A relationships part (`_rels/*.rels`): relationship id → { target zip path, type }. */
export function readRelationships(
  xml: string | null,
  partPath: string,
): Map<string, { target: string; type: string }> {
  const rels = new Map<string, { target: string; type: string }>();
  if (!xml) return rels;
  const baseDir = partPath.includes('/') ? partPath.slice(0, partPath.lastIndexOf('/')) : '';
  walkOfficeXml(xml, {
    open(name, attrs) {
      if (!name.endsWith('Relationship') || !attrs.Id || !attrs.Target) return;
      if (attrs.TargetMode === 'External') return;
      rels.set(attrs.Id, { target: resolvePartPath(baseDir, attrs.Target), type: attrs.Type ?? '' });
    },
  });
  return rels;
}

/** `../notesSlides/notesSlide1.xml` from `ppt/slides` → `ppt/notesSlides/notesSlide1.xml`. */
export function resolvePartPath(baseDir: string, target: string): string {
  let href = target.split('#')[0] ?? '';
  try {
    href = decodeURIComponent(href);
  } catch {
    // keep it as written
  }
  const parts = href.startsWith('/') ? [] : baseDir.split('/').filter(Boolean);
  for (const part of href.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The relationships part that belongs to a part: `ppt/slides/slide1.xml` → `ppt/slides/_rels/slide1.xml.rels`. */
export function relsPathOf(partPath: string): string {
  const slash = partPath.lastIndexOf('/');
  return `${partPath.slice(0, slash + 1)}_rels/${partPath.slice(slash + 1)}.rels`;
}

export interface DocumentProperties {
  title: string | null;
  author: string | null;
}

/**
 * Title and author from OOXML's docProps/core.xml (dc:title, dc:creator) or OpenDocument's
 * meta.xml (dc:title; dc:creator is who saved it last, meta:initial-creator who wrote it).
 */
export function readDocumentProperties(xml: string | null): DocumentProperties {
  const found: Record<string, string> = {};
  if (!xml) return { title: null, author: null };
  let current: string | null = null;
  let text = '';
  const WANTED = new Set(['dc:title', 'dc:creator', 'meta:initial-creator']);
  walkOfficeXml(xml, {
    open(name) {
      if (WANTED.has(name) && !(name in found)) {
        current = name;
        text = '';
      }
    },
    text(data) {
      if (current) text += data;
    },
    close(name) {
      if (name !== current) return;
      const value = text.replace(/\s+/g, ' ').trim();
      if (value) found[name] = value;
      current = null;
    },
  });
  return {
    title: found['dc:title'] ?? null,
    author: found['meta:initial-creator'] ?? found['dc:creator'] ?? null,
  };
}
