import path from 'node:path';
import type { Extractor, FileType } from './types.ts';
import { ExtractError, displayName } from './extract-error.ts';
import { sniffTextKind } from './text-decode.ts';
import { extractCode } from './extractors/code.ts';
import { extractHtml } from './extractors/html.ts';
import { extractJson } from './extractors/json.ts';
import { extractText } from './extractors/text.ts';

/**
 * Heavy parsers (pdf.js, mammoth, exceljs…) load on first use: a worker that only ever sees
 * HTML and Markdown starts in a fraction of the time.
 */
function lazy<K extends string>(load: () => Promise<Record<K, Extractor>>, name: K): Extractor {
  let loaded: Promise<Extractor> | undefined;
  return async (input) => (await (loaded ??= load().then((m) => m[name])))(input);
}

export interface Format {
  fileType: FileType;
  mime: string;
  extractor: Extractor;
  /**
   * Formats whose bytes must start with this signature ('zip' ones also pass the zip guard; RTF is
   * text, but only text that starts with `{\rtf`; 'ole' is the compound file of Outlook's .msg).
   */
  container?: 'pdf' | 'zip' | 'rtf' | 'ole' | 'image';
  /**
   * A file that holds other documents: a mailbox its messages, a message its attachments. The
   * import reads it with its own reader (import/mail/mail-task.ts) and makes each member a
   * document of its own; `extractor` still reads it as one document (a message without its
   * attachments) where one document is wanted, e.g. a message attached to another.
   */
  holds?: 'messages' | 'attachments';
  /** How messages name the format: "is not a PDF". */
  label: string;
  /** false where the first heading is no title (XLSX: it is a sheet name). Default true. */
  titleFromHeadings?: boolean;
}

const pdf: Format = {
  fileType: 'pdf',
  mime: 'application/pdf',
  extractor: lazy(() => import('./extractors/pdf.ts'), 'extractPdf'),
  container: 'pdf',
  label: 'PDF',
};
const docx: Format = {
  fileType: 'docx',
  mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extractor: lazy(() => import('./extractors/docx.ts'), 'extractDocx'),
  container: 'zip',
  label: 'DOCX document',
};
const xlsx: Format = {
  fileType: 'xlsx',
  mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  extractor: lazy(() => import('./extractors/xlsx.ts'), 'extractXlsx'),
  container: 'zip',
  label: 'XLSX workbook',
  titleFromHeadings: false,
};
const epub: Format = {
  fileType: 'epub',
  mime: 'application/epub+zip',
  extractor: lazy(() => import('./extractors/epub.ts'), 'extractEpub'),
  container: 'zip',
  label: 'EPUB book',
};
const pptx: Format = {
  fileType: 'pptx',
  mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  extractor: lazy(() => import('./extractors/pptx.ts'), 'extractPptx'),
  container: 'zip',
  label: 'PowerPoint presentation',
};
const odt: Format = {
  fileType: 'odt',
  mime: 'application/vnd.oasis.opendocument.text',
  extractor: lazy(() => import('./extractors/odt.ts'), 'extractOdt'),
  container: 'zip',
  label: 'OpenDocument text',
};
const ods: Format = {
  fileType: 'ods',
  mime: 'application/vnd.oasis.opendocument.spreadsheet',
  extractor: lazy(() => import('./extractors/ods.ts'), 'extractOds'),
  container: 'zip',
  label: 'OpenDocument spreadsheet',
  titleFromHeadings: false,
};
const odp: Format = {
  fileType: 'odp',
  mime: 'application/vnd.oasis.opendocument.presentation',
  extractor: lazy(() => import('./extractors/odp.ts'), 'extractOdp'),
  container: 'zip',
  label: 'OpenDocument presentation',
};
const rtf: Format = {
  fileType: 'rtf',
  mime: 'application/rtf',
  extractor: lazy(() => import('./extractors/rtf.ts'), 'extractRtf'),
  container: 'rtf',
  label: 'RTF document',
};
const eml: Format = {
  fileType: 'email',
  mime: 'message/rfc822',
  extractor: lazy(() => import('./extractors/email.ts'), 'extractEml'),
  label: 'e-mail message',
  holds: 'attachments',
};
const msg: Format = {
  fileType: 'email',
  mime: 'application/vnd.ms-outlook',
  extractor: lazy(() => import('./extractors/email.ts'), 'extractMsg'),
  container: 'ole',
  label: 'Outlook message',
  holds: 'attachments',
};
export const MBOX_FORMAT: Format = {
  fileType: 'mbox',
  mime: 'application/mbox',
  extractor: lazy(() => import('./extractors/email.ts'), 'extractMbox'),
  label: 'mailbox',
  holds: 'messages',
};
/** Pictures of text (scans, photos of letters): read by OCR, each page of a TIFF a page. */
const image = (mime: string, label: string): Format => ({
  fileType: 'image',
  mime,
  extractor: lazy(() => import('./extractors/image.ts'), 'extractImage'),
  container: 'image',
  label,
});
const png = image('image/png', 'PNG image');
const jpeg = image('image/jpeg', 'JPEG image');
const tiff = image('image/tiff', 'TIFF image');
const html = (mime: string): Format => ({
  fileType: 'html',
  mime,
  extractor: extractHtml,
  label: 'HTML page',
});
const markdown: Format = {
  fileType: 'markdown',
  mime: 'text/markdown',
  extractor: lazy(() => import('./extractors/markdown.ts'), 'extractMarkdown'),
  label: 'Markdown file',
};
export const TEXT_FORMAT: Format = {
  fileType: 'text',
  mime: 'text/plain',
  extractor: extractText,
  label: 'text file',
};
const csv = (mime: string): Format => ({
  fileType: 'csv',
  mime,
  extractor: lazy(() => import('./extractors/csv.ts'), 'extractCsv'),
  label: 'CSV file',
});
const json = (mime: string): Format => ({
  fileType: 'json',
  mime,
  extractor: extractJson,
  label: 'JSON file',
});
const code = (mime: string): Format => ({
  fileType: 'code',
  mime,
  extractor: extractCode,
  label: 'source file',
});

const CODE_MIMES: Record<string, string> = {
  '.ts': 'text/x-typescript',
  '.tsx': 'text/x-typescript',
  '.mts': 'text/x-typescript',
  '.cts': 'text/x-typescript',
  '.js': 'text/javascript',
  '.jsx': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.py': 'text/x-python',
  '.java': 'text/x-java',
  '.kt': 'text/x-kotlin',
  '.scala': 'text/x-scala',
  '.go': 'text/x-go',
  '.rs': 'text/x-rust',
  '.c': 'text/x-c',
  '.h': 'text/x-c',
  '.cpp': 'text/x-c++',
  '.cc': 'text/x-c++',
  '.hpp': 'text/x-c++',
  '.cs': 'text/x-csharp',
  '.swift': 'text/x-swift',
  '.rb': 'text/x-ruby',
  '.php': 'text/x-php',
  '.pl': 'text/x-perl',
  '.lua': 'text/x-lua',
  '.r': 'text/x-r',
  '.sh': 'text/x-shellscript',
  '.bash': 'text/x-shellscript',
  '.zsh': 'text/x-shellscript',
  '.ps1': 'text/x-powershell',
  '.sql': 'application/sql',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.toml': 'application/toml',
  '.ini': 'text/plain',
  '.cfg': 'text/plain',
  '.conf': 'text/plain',
  '.xml': 'application/xml',
  '.css': 'text/css',
  '.scss': 'text/x-scss',
  '.less': 'text/x-less',
  '.vue': 'text/x-vue',
  '.svelte': 'text/x-svelte',
};

/** The table: extension → format. */
export const FORMATS: ReadonlyMap<string, Format> = new Map<string, Format>([
  ['.pdf', pdf],
  ['.docx', docx],
  ['.xlsx', xlsx],
  ['.epub', epub],
  ['.pptx', pptx],
  ['.odt', odt],
  ['.ods', ods],
  ['.odp', odp],
  ['.rtf', rtf],
  ['.png', png],
  ['.jpg', jpeg],
  ['.jpeg', jpeg],
  ['.tif', tiff],
  ['.tiff', tiff],
  ['.eml', eml],
  ['.msg', msg],
  ['.mbox', MBOX_FORMAT],
  ['.mbx', MBOX_FORMAT],
  ['.html', html('text/html')],
  ['.htm', html('text/html')],
  ['.xhtml', html('application/xhtml+xml')],
  ['.md', markdown],
  ['.markdown', markdown],
  ['.txt', TEXT_FORMAT],
  ['.text', TEXT_FORMAT],
  ['.log', TEXT_FORMAT],
  ['.rst', { ...TEXT_FORMAT, mime: 'text/x-rst' }],
  ['.csv', csv('text/csv')],
  ['.tsv', csv('text/tab-separated-values')],
  ['.json', json('application/json')],
  ['.jsonl', json('application/jsonl')],
  ['.ndjson', json('application/x-ndjson')],
  ...Object.entries(CODE_MIMES).map(([ext, mime]): [string, Format] => [ext, code(mime)]),
]);

/** Files without an extension that are text by convention. */
const TEXT_NAMES = new Set([
  'readme',
  'license',
  'licence',
  'copying',
  'notice',
  'authors',
  'changelog',
  'changes',
  'todo',
  'makefile',
  'dockerfile',
  'containerfile',
  'procfile',
  'gemfile',
  'rakefile',
  'jenkinsfile',
  'vagrantfile',
]);

/**
 * Whether a folder import should pick this file up, by name alone: a known extension, or a
 * conventional extensionless text file (README, Makefile…). Files given explicitly go through
 * `detectFormat`, which also accepts unknown extensions whose content is text.
 */
export function isSupportedPath(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  if (FORMATS.has(ext)) return true;
  return ext === '' && TEXT_NAMES.has(path.basename(file).toLowerCase());
}

/** Extensions refused outright, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  '.doc': 'old Word documents (.doc) are not supported; save it as .docx',
  '.xls': 'old Excel workbooks (.xls) are not supported; save it as .xlsx',
  '.ppt': 'old PowerPoint presentations (.ppt) are not supported; save it as .pptx',
  '.pages': 'Pages documents are not supported; export it as .docx or PDF',
  '.numbers': 'Numbers spreadsheets are not supported; export it as .xlsx',
  '.key': 'Keynote presentations are not supported; export it as .pptx',
  '.heic':
    'HEIC photos are not supported; save it as JPEG (on an iPhone: Settings › Camera › Formats › Most Compatible)',
  '.heif':
    'HEIF photos are not supported; save it as JPEG (on an iPhone: Settings › Camera › Formats › Most Compatible)',
};

interface Signature {
  kind: 'pdf' | 'zip' | 'ole' | 'rtf' | 'image' | 'other';
  /** "a ZIP archive" */
  description: string;
  test: (b: Uint8Array) => boolean;
  /** The format of a picture OCR reads, whatever its extension says. */
  format?: Format;
}

const startsWith = (b: Uint8Array, bytes: number[], offset = 0) => bytes.every((v, i) => b[offset + i] === v);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: Signature[] = [
  { kind: 'pdf', description: 'a PDF document', test: (b) => startsWith(b, ascii('%PDF-')) },
  {
    kind: 'zip',
    description: 'a ZIP archive',
    test: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]),
  },
  {
    kind: 'ole',
    description: 'an old binary Office document (.doc/.xls/.ppt)',
    test: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  {
    kind: 'image',
    description: 'a PNG image',
    test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]),
    format: png,
  },
  {
    kind: 'image',
    description: 'a JPEG image',
    test: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
    format: jpeg,
  },
  { kind: 'other', description: 'a GIF image', test: (b) => startsWith(b, ascii('GIF8')) },
  {
    kind: 'other',
    description: 'a WebP image',
    test: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8),
  },
  {
    kind: 'image',
    description: 'a TIFF image',
    test: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0]) || startsWith(b, [0x4d, 0x4d, 0, 0x2a]),
    format: tiff,
  },
  {
    kind: 'other',
    description: 'a video or audio file',
    test: (b) => startsWith(b, ascii('ftyp'), 4) || startsWith(b, ascii('ID3')),
  },
  { kind: 'other', description: 'a gzip archive', test: (b) => startsWith(b, [0x1f, 0x8b]) },
  { kind: 'other', description: 'a RAR archive', test: (b) => startsWith(b, ascii('Rar!')) },
  {
    kind: 'other',
    description: 'a 7-Zip archive',
    test: (b) => startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
  },
  { kind: 'other', description: 'a SQLite database', test: (b) => startsWith(b, ascii('SQLite format 3\0')) },
  {
    kind: 'other',
    description: 'a program (ELF executable)',
    test: (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46]),
  },
  { kind: 'rtf', description: 'an RTF document', test: (b) => startsWith(b, ascii('{\\rtf')) },
];

/**
 * "a PDF document", "an XLSX workbook", "an OpenDocument text": the article goes by the sound, and
 * a leading acronym is spelt out (X is "ex", H is "aitch").
 */
export function withArticle(label: string): string {
  const acronym = /^[A-Z]{2,}\b/.test(label);
  const vowelSound = acronym ? /^[AEFHILMNORSX]/.test(label) : /^[aeiou]/i.test(label);
  return `${vowelSound ? 'an' : 'a'} ${label}`;
}

/** What the first bytes say the file is, when they say anything. */
export function sniffSignature(bytes: Uint8Array): Signature | null {
  return SIGNATURES.find((s) => s.test(bytes)) ?? null;
}

/** PDF readers accept up to 1 KB of junk before the header; so do we for files named .pdf. */
function hasPdfHeader(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).includes('%PDF-');
}

/**
 * Picks the format for a file from its extension, checked against its content: a binary format
 * must carry its signature, a text format must not look binary, and an unknown extension is
 * accepted as text when the bytes are text. Throws ExtractError ('unsupported', 'corrupt' or
 * 'encrypted') with a message that names the file and says why.
 */
export function detectFormat(file: string, bytes: Uint8Array): Format {
  const name = displayName(file);
  const ext = path.extname(file).toLowerCase();
  const format = FORMATS.get(ext);
  const signature = sniffSignature(bytes);

  if (format?.container) {
    if (bytes.length === 0) {
      throw new ExtractError('corrupt', file, `${name} is empty (0 bytes), not a valid ${format.label}`);
    }
    if (format.container === 'pdf' ? hasPdfHeader(bytes) : signature?.kind === format.container)
      return signature?.format ?? format; // a picture goes by its content (a JPEG named .png)
    if (format.container === 'zip' && signature?.kind === 'ole') {
      // Password-protected DOCX/XLSX files are OLE containers holding an "EncryptedPackage" stream.
      if (
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes('EncryptedPackage', 0, 'utf16le')
      ) {
        throw new ExtractError('encrypted', file, `${name} is password-protected; save an unprotected copy`);
      }
      throw new ExtractError(
        'unsupported',
        file,
        `${name} is not ${withArticle(format.label)} (it looks like ${signature.description}); save it as ${ext}`,
      );
    }
    if (signature) {
      throw new ExtractError(
        'unsupported',
        file,
        `${name} is not ${withArticle(format.label)} (it looks like ${signature.description})`,
      );
    }
    throw new ExtractError(
      'corrupt',
      file,
      `${name} is not ${withArticle(format.label)}: its content is damaged or of another kind`,
    );
  }

  if (format) {
    if (bytes.length === 0) return format;
    if (signature || sniffTextKind(bytes) === 'binary') {
      const looks = signature ? `it looks like ${signature.description}` : 'it contains binary data';
      throw new ExtractError('unsupported', file, `${name} is not ${withArticle(format.label)} (${looks})`);
    }
    return format;
  }

  const hint = UNSUPPORTED[ext];
  if (hint) throw new ExtractError('unsupported', file, `${name}: ${hint}`);
  if (signature?.kind === 'pdf') return pdf;
  if (signature?.kind === 'rtf') return rtf;
  if (signature?.format) return signature.format;
  // A mailbox without an extension (Thunderbird keeps "Inbox", "Sent"): it starts with a From_ line.
  if (!signature && looksLikeMbox(bytes)) return MBOX_FORMAT;
  if (signature) {
    throw new ExtractError(
      'unsupported',
      file,
      `${name} is not a supported file type (it looks like ${signature.description})`,
    );
  }
  if (sniffTextKind(bytes) !== 'binary') return TEXT_FORMAT;
  throw new ExtractError(
    'unsupported',
    file,
    `${name} is not a supported file type (${ext || 'no extension'}) and does not look like text`,
  );
}

/**
 * Whether the bytes start like an mbox mailbox: a "From " separator line with a sender and a date
 * ("From budi@example.co.id Mon Mar  3 10:15:00 2025"), then a header field on the next line.
 */
export function looksLikeMbox(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).toString('latin1');
  return /^From \S+ +[^\r\n]*\d[^\r\n]*\r?\n[\x21-\x39\x3b-\x7e]+:/.test(head);
}
