/**
 * SQLite's `loadExtension` (and any native loader) opens files with the OS, which cannot read
 * inside an Electron `app.asar` archive. The packager unpacks such files beside it
 * (`app.asar.unpacked`, or `app-<arch>.asar.unpacked` in universal macOS builds): point there.
 * No imports, so the Electron main bundle can use it too.
 */
export function unpackedAsarPath(file: string): string {
  return file.replace(/([\\/][^\\/]*\.asar)(?=[\\/])/, '$1.unpacked');
}
