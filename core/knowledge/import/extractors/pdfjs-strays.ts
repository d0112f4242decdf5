/**
 * pdf.js (in its in-thread "fake worker" under Node) starts promises it never awaits; on a damaged
 * PDF some of them reject after the document was already reported unreadable and destroyed — the
 * parser fuzz test found `FormatError: Illegal character` and `ParserEOFException` arriving that
 * way. A browser only logs those; Node would end the whole process (or ingest worker) on them. So
 * rejections carrying pdf.js's own parser exception names are dropped here; any other unhandled
 * rejection is rethrown and crashes as before.
 */
const PDFJS_EXCEPTIONS = new Set([
  'FormatError',
  'ParserEOFException',
  'InvalidPDFException',
  'MissingPDFException',
  'UnexpectedResponseException',
  'UnknownErrorException',
  'XRefParseException',
  'XRefEntryException',
]);

export function isPdfJsStray(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && PDFJS_EXCEPTIONS.has(name)) return true;
  // pdf.js builds its exceptions with a closure that leaves name on the prototype chain only.
  const ctor = (err as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof ctor === 'string' && PDFJS_EXCEPTIONS.has(ctor);
}

let installed = false;

/** Installs the filter once per process (or worker thread) that parses PDFs. */
export function dropPdfJsStrays(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (err) => {
    if (isPdfJsStray(err)) return;
    throw err;
  });
}
