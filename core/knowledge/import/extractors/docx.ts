import mammoth from 'mammoth';
import type { Extractor } from '../types.ts';
import { htmlToSections, sectionsOrHeadings } from './html.ts';

const STYLE_MAP = ["p[style-name='Title'] => h1:fresh"];
/** Images are not indexed: give mammoth an empty src instead of base64-encoding every picture. */
const SKIP_IMAGES = mammoth.images.imgElement(async () => ({ src: '' }));

/** DOCX: mammoth turns Word styles into HTML (Heading 1–6 → h1–h6), then the HTML section walker. */
export const extractDocx: Extractor = async ({ bytes }) => {
  const { value: html } = await mammoth.convertToHtml(
    { buffer: bytes },
    { styleMap: STYLE_MAP, convertImage: SKIP_IMAGES, ignoreEmptyParagraphs: true },
  );
  const content = htmlToSections(html);
  return {
    title: content.title,
    fileType: 'docx',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    sections: sectionsOrHeadings(content),
    pageCount: null,
    warnings: [],
  };
};
