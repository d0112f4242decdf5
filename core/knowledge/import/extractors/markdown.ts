import { Lexer } from 'marked';
import type { Token } from 'marked';
import type { ExtractedSection, Extractor } from '../types.ts';
import { decodeText } from '../text-decode.ts';

/**
 * Markdown: headings (ATX and setext) become the heading path; everything else is kept as written
 * (code fences, lists and tables included), since Markdown source already reads well as text.
 * A YAML front-matter block is dropped, its `title:` used as the title.
 */
export const extractMarkdown: Extractor = async ({ bytes }) => {
  const { text } = decodeText(bytes);
  const { body, title } = splitFrontMatter(text);
  return {
    title,
    fileType: 'markdown',
    mime: 'text/markdown',
    sections: markdownSections(body),
    pageCount: null,
    warnings: [],
  };
};

/**
 * The text under each heading as sections. A document that holds only headings (an outline, a
 * template) gets one section per heading, the heading its text: headings are text too.
 */
export function markdownSections(markdown: string): ExtractedSection[] {
  const sections: ExtractedSection[] = [];
  const headingOnly: ExtractedSection[] = [];
  const headings: (string | undefined)[] = [];
  let out: string[] = [];
  const flush = () => {
    const text = out.join('');
    if (text.trim() !== '') {
      sections.push({ headingPath: headings.filter((h): h is string => !!h), text, page: null });
    }
    out = [];
  };
  for (const token of Lexer.lex(markdown, { gfm: true })) {
    if (token.type === 'heading' && 'depth' in token && typeof token.depth === 'number') {
      flush();
      const title = plainText(token.tokens ?? [])
        .replace(/\s+/g, ' ')
        .trim();
      if (title) {
        headings[token.depth - 1] = title;
        headings.length = token.depth;
        headingOnly.push({ headingPath: headings.filter((h): h is string => !!h), text: title, page: null });
      }
    } else {
      out.push(token.raw);
    }
  }
  flush();
  return sections.length > 0 ? sections : headingOnly;
}

/** The visible text of inline tokens (`**a** [b](c)` → "a b"). */
function plainText(tokens: Token[]): string {
  let text = '';
  for (const token of tokens) {
    if (token.type === 'html') continue;
    if ('tokens' in token && Array.isArray(token.tokens)) text += plainText(token.tokens as Token[]);
    else if ('text' in token && typeof token.text === 'string') text += token.text;
  }
  return text;
}

function splitFrontMatter(text: string): { body: string; title: string | null } {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { body: text, title: null };
  const title = /^title:[ \t]*["']?(.*?)["']?[ \t]*$/m.exec(match[1] ?? '')?.[1]?.trim() || null;
  return { body: text.slice(match[0].length), title };
}
