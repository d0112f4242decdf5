import { walkOfficeXml } from './office-xml.ts';

/**
 * What OpenDocument's inline elements stand for inside a paragraph: `<text:s text:c="3"/>` is three
 * spaces (runs of spaces are not kept as written), `<text:tab/>` a tab, `<text:line-break/>` a
 * line break. Null for anything else. Outside preformatted text (`pre`) a run of spaces is cut to
 * 8: it is layout, and an element of a few bytes must not become thousands of characters.
 */
export function odfInlineText(name: string, attrs: Record<string, string>, pre = false): string | null {
  if (name === 'text:s') {
    const count = Math.max(1, Math.floor(Number(attrs['text:c'] ?? 1)) || 1);
    return ' '.repeat(Math.min(pre ? 1000 : 8, count));
  }
  if (name === 'text:tab') return '\t';
  if (name === 'text:line-break') return '\n';
  return null;
}

/**
 * Elements whose text is not the document's: review comments, deleted text kept for change
 * tracking, footnote/endnote marks, alternative text of pictures, the generated table of contents
 * and other indexes (they repeat the headings), and form controls.
 */
export const ODF_SKIPPED = new Set([
  'office:annotation',
  'office:annotation-end',
  'text:tracked-changes',
  'text:note-citation',
  'svg:title',
  'svg:desc',
  'text:table-of-content',
  'text:illustration-index',
  'text:table-index',
  'text:object-index',
  'text:user-index',
  'text:alphabetical-index',
  'text:bibliography',
  'office:forms',
  'text:sequence-decls',
  'text:variable-decls',
  'text:user-field-decls',
]);

/**
 * The names of styles (of `family`) that match `test` (called for the style:style element and each
 * element inside it), from the automatic styles of
 * content.xml and the styles of styles.xml: e.g. drawing-page styles that hide a slide, table
 * styles that hide a sheet.
 */
export function stylesWhere(
  xmls: string[],
  family: string,
  test: (name: string, attrs: Record<string, string>) => boolean,
): Set<string> {
  const found = new Set<string>();
  for (const xml of xmls) {
    let current: string | null = null;
    // Styles come before the body: no need to walk the document's text for them.
    const body = xml.search(/<(?:[\w.-]+:)?body[\s>]/);
    walkOfficeXml(body > 0 ? xml.slice(0, body) : xml, {
      open(name, attrs) {
        if (name === 'style:style') {
          current = attrs['style:family'] === family ? (attrs['style:name'] ?? null) : null;
        }
        if (current && test(name, attrs)) {
          found.add(current);
        }
      },
      close(name) {
        if (name === 'style:style') current = null;
      },
    });
  }
  return found;
}
