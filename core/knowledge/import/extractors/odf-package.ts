import { ExtractError, displayName } from '../extract-error.ts';
import { openZip } from './zip-book.ts';
import { readDocumentProperties } from './office-xml.ts';
import type { DocumentProperties } from './office-xml.ts';

export type OdfKind = 'text' | 'spreadsheet' | 'presentation';

const KIND_NAMES: Record<string, string> = {
  text: 'an OpenDocument text (.odt)',
  'text-template': 'an OpenDocument text template (.ott)',
  spreadsheet: 'an OpenDocument spreadsheet (.ods)',
  'spreadsheet-template': 'an OpenDocument spreadsheet template (.ots)',
  presentation: 'an OpenDocument presentation (.odp)',
  'presentation-template': 'an OpenDocument presentation template (.otp)',
  graphics: 'an OpenDocument drawing (.odg)',
  chart: 'an OpenDocument chart (.odc)',
  formula: 'an OpenDocument formula (.odf)',
};

export interface OdfPackage {
  /** content.xml: the document's body. */
  content: string;
  /** content.xml's automatic styles and styles.xml's styles, for what they say about visibility. */
  styles: string;
  properties: DocumentProperties;
}

/**
 * Opens an OpenDocument file (after the zip guard) and checks it is the kind its extension says:
 * its `mimetype` entry names the kind, and a password-protected one lists encryption data for its
 * parts in the manifest (its content.xml is then ciphertext).
 */
export async function openOdf(file: string, bytes: Buffer, kind: OdfKind): Promise<OdfPackage> {
  const name = displayName(file);
  const expected = KIND_NAMES[kind]!;
  const book = await openZip(bytes);
  try {
    const mimetype = ((await book.text('mimetype')) ?? '').trim();
    const declared = /^application\/vnd\.oasis\.opendocument\.([a-z-]+)$/.exec(mimetype)?.[1];
    if (declared && declared !== kind && declared !== `${kind}-template`) {
      const actual = KIND_NAMES[declared] ?? `another OpenDocument file (${mimetype})`;
      throw new ExtractError('unsupported', file, `${name} is not ${expected}: it is ${actual}`);
    }
    const manifest = (await book.text('META-INF/manifest.xml')) ?? '';
    if (/<(?:[\w-]+:)?encryption-data[\s>/]/.test(manifest)) {
      throw new ExtractError('encrypted', file, `${name} is password-protected; save an unprotected copy`);
    }
    const content = await book.text('content.xml');
    if (content === null) {
      throw new ExtractError('corrupt', file, `${name} is not ${expected} (it has no content.xml)`);
    }
    return {
      content,
      styles: (await book.text('styles.xml')) ?? '',
      properties: readDocumentProperties(await book.text('meta.xml')),
    };
  } finally {
    book.close();
  }
}
