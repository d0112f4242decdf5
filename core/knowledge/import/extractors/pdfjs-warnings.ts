/**
 * pdf.js tells of a picture it left out for its size (maxImageSize) only as a warning on the
 * console ("Warning: Image exceeded maximum allowed size and was removed."): its API draws the
 * page without it and says nothing, even for a PDF opened with stopAtErrors. So PDFs are opened
 * with warnings on, and pdf.js's warnings ("Warning: …" on console.warn, in this thread) are
 * taken off the console here: the ones about left-out pictures are counted, the rest dropped as
 * before (verbosity 0 used to silence them all).
 */
const OVERSIZE = /^Warning: Image exceeded maximum allowed size/;

let installed = false;
let oversize = 0;

/** Installs the filter once per process (or worker thread) that parses PDFs. */
export function filterPdfJsWarnings(): void {
  if (installed) return;
  installed = true;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === 'string' && first.startsWith('Warning: ')) {
      if (OVERSIZE.test(first)) oversize++;
      return;
    }
    warn(...args);
  };
}

/** How many pictures pdf.js has left out for their size in this thread so far. */
export function oversizePicturesLeftOut(): number {
  return oversize;
}
