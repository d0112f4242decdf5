/**
 * Where a dropped file lives on disk. Only Electron can say (its preload exposes
 * `webUtils.getPathForFile` as `window.pustaka.pathForFile`); a plain browser never sees paths,
 * so headless mode imports by a typed or pasted path instead.
 */
export function droppedPaths(files: FileList): string[] {
  const bridge = window.pustaka as { pathForFile?: (file: File) => string } | undefined;
  if (!bridge?.pathForFile) return [];
  return [...files].map((f) => bridge.pathForFile!(f)).filter((p) => p.length > 0);
}

export function canDropFiles(): boolean {
  return typeof (window.pustaka as { pathForFile?: unknown } | undefined)?.pathForFile === 'function';
}
