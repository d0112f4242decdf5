/**
 * A PDF page as a grey picture for OCR: pdf.js (through unpdf) draws it onto a canvas of
 * @napi-rs/canvas (Skia, a prebuilt native add-on) at OCR_DPI. Loaded on the first page that needs
 * it, so PDFs with a text layer never load the canvas.
 */
import { createIsomorphicCanvasFactory, getResolvedPDFJS, type getDocumentProxy } from 'unpdf';
import { grayFromRgba, type GrayImage } from './gray-image.ts';
import { aspectProblem, MAX_PICTURE_SIDE } from './picture-limits.ts';
import type * as Canvas from '@napi-rs/canvas';

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<typeof getDocumentProxy>>['getPage']>>;

/** Tesseract reads best at about 300 dpi: a 150 dpi scan is drawn up to it, a finer one down. */
export const OCR_DPI = 300;
/** A page larger than this at OCR_DPI (a poster, a plan) is drawn smaller: 40 Mpx is 160 MB of RGBA. */
const MAX_PIXELS = 40_000_000;

type CanvasModule = typeof Canvas;

let canvasModule: Promise<CanvasModule> | null = null;

/** @napi-rs/canvas, also handed to pdf.js (which draws images through canvases of its own). */
function canvas(): Promise<CanvasModule> {
  canvasModule ??= (async () => {
    // A CommonJS package: its functions are the module's named exports, or its default's.
    const load = async (): Promise<CanvasModule> => {
      const mod = (await import('@napi-rs/canvas')) as Partial<CanvasModule> & { default?: CanvasModule };
      return typeof mod.createCanvas === 'function' ? (mod as CanvasModule) : mod.default!;
    };
    await createIsomorphicCanvasFactory(load as Parameters<typeof createIsomorphicCanvasFactory>[0]);
    return load();
  })();
  return canvasModule;
}

let imageOps: Promise<Set<number>> | null = null;

/** pdf.js's drawing operators that paint a picture (an image, an inline image, an image mask). */
function paintImageOps(): Promise<Set<number>> {
  imageOps ??= getResolvedPDFJS().then(
    ({ OPS }) =>
      new Set(
        Object.entries(OPS as Record<string, number>)
          .filter(([name]) => /^paint.*Image/.test(name))
          .map(([, op]) => op),
      ),
  );
  return imageOps;
}

/** Whether the page paints any picture: a page without one has nothing for OCR to read. */
export async function pagePaintsImage(page: PdfPage): Promise<boolean> {
  const ops = await paintImageOps();
  const list = await page.getOperatorList();
  return list.fnArray.some((op) => ops.has(op));
}

/** The page drawn at OCR_DPI (less for a huge page), in grey, and the resolution it was drawn at. */
export async function renderPdfPage(page: PdfPage): Promise<{ image: GrayImage; dpi: number }> {
  const { createCanvas } = await canvas();
  const base = page.getViewport({ scale: 1 });
  // A page hundreds of times longer than wide (MediaBox [0 0 5e6 3]) would be drawn as a line.
  const shape = aspectProblem(base.width, base.height);
  if (shape)
    throw new Error(`the page is ${Math.round(base.width)} × ${Math.round(base.height)} points, ${shape}`);
  let scale = OCR_DPI / 72;
  const pixels = base.width * base.height * scale * scale;
  if (pixels > MAX_PIXELS) scale *= Math.sqrt(MAX_PIXELS / pixels);
  const longer = Math.max(base.width, base.height) * scale;
  if (longer > MAX_PICTURE_SIDE) scale *= (MAX_PICTURE_SIDE - 1) / longer;
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.ceil(viewport.width));
  const height = Math.max(1, Math.ceil(viewport.height));
  const surface = createCanvas(width, height);
  try {
    const context = surface.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    type RenderParams = Parameters<PdfPage['render']>[0];
    await page.render({
      canvas: surface as unknown as RenderParams['canvas'],
      canvasContext: context as unknown as RenderParams['canvasContext'],
      viewport,
    }).promise;
    const rgba = context.getImageData(0, 0, width, height).data;
    return { image: grayFromRgba(rgba, width, height), dpi: scale * 72 };
  } finally {
    // Skia's pixels are native memory: let them go now, not when the collector gets to it.
    surface.width = 0;
    surface.height = 0;
  }
}
