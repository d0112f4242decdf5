// Preloaded (NODE_OPTIONS=--import) into every process and worker thread of the packaged-app smoke
// test, which runs the mounted package under plain Node (test/support/packaged/mount.ts). It holds
// the engine to what Electron and the installer allow:
// - native code (process.dlopen: any .node add-on) loads only from app.asar.unpacked/. A path inside
//   app.asar is redirected there when the archive marks the file unpacked, as Electron does; one
//   packed inside the archive is refused: Electron would copy that one file out to a temporary
//   folder, without the shared libraries beside it, so electron-builder must unpack it;
// - SQLite extensions (better-sqlite3's loadExtension) load only from app.asar.unpacked/: SQLite
//   opens them itself and cannot read inside an archive;
// - no module resolves outside the installed app (import and require): a package found in some
//   parent node_modules, a global folder or NODE_PATH would be missing on a user's machine.
// Every breach is thrown where it happens and appended to PUSTAKA_ASAR_VIOLATIONS, so that one
// swallowed by a try/catch still fails the smoke test. Plain JavaScript: no tsx in this process.
import fs from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';

const {
  PUSTAKA_ASAR_RESOURCES,
  PUSTAKA_ASAR_HEADER: headerFile,
  PUSTAKA_ASAR_VIOLATIONS: violationsFile,
} = process.env;
if (!PUSTAKA_ASAR_RESOURCES || !headerFile || !violationsFile) {
  throw new Error('asar-rules.mjs: PUSTAKA_ASAR_RESOURCES, _HEADER and _VIOLATIONS must be set');
}
// Resolved paths are real paths (macOS: /var is /private/var): compare like with like.
const resources = fs.realpathSync(PUSTAKA_ASAR_RESOURCES);
const appDir = path.join(resources, 'app.asar');
const unpackedDir = `${appDir}.unpacked`;
const header = JSON.parse(fs.readFileSync(headerFile, 'utf8'));
/** Files outside the app that may be loaded: these preloads themselves. */
const allowed = (process.env.PUSTAKA_ASAR_ALLOW ?? '')
  .split(path.delimiter)
  .filter(Boolean)
  .map((f) => fs.realpathSync(f));

const inside = (dir, file) => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};
/** `file` itself when it exists (its real path), else as given. */
const real = (file) => {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
};

function violation(message) {
  const line = `packaged app: ${message}`;
  fs.appendFileSync(violationsFile, `${line}\n`);
  return new Error(line);
}

function archiveEntry(rel) {
  let node = header;
  for (const part of rel.split('/')) {
    node = node.files?.[part];
    if (!node) return null;
  }
  return node;
}

/** Where Electron would load native code `file` from; throws when it could not. */
function nativeCodePath(file, what) {
  const abs = real(file);
  if (inside(unpackedDir, abs)) return abs;
  if (inside(appDir, abs)) {
    const rel = path.relative(appDir, abs).split(path.sep).join('/');
    const entry = archiveEntry(rel);
    if (!entry) throw violation(`${what} app.asar/${rel} is not in the archive`);
    if (!entry.unpacked) {
      throw violation(
        `${what} app.asar/${rel} is packed inside the archive; native code must be unpacked (asarUnpack in electron-builder.yml)`,
      );
    }
    return path.join(unpackedDir, rel);
  }
  throw violation(`${what} ${abs} is outside the installed app (${resources})`);
}

/** better-sqlite3's native Database class: extensions must be real files, outside the archive. */
function guardLoadExtension(exports) {
  const proto = exports?.Database?.prototype;
  if (!proto || typeof proto.loadExtension !== 'function' || proto.loadExtension.guarded) return;
  const load = proto.loadExtension;
  proto.loadExtension = function (file, ...rest) {
    const abs = real(file);
    if (!inside(unpackedDir, abs)) {
      throw violation(`SQLite extension ${abs} is not in app.asar.unpacked/ (SQLite cannot open it there)`);
    }
    return load.call(this, file, ...rest);
  };
  proto.loadExtension.guarded = true;
}

const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...flags) {
  const real = nativeCodePath(filename, 'native add-on');
  const result = dlopen.call(this, module, real, ...flags);
  guardLoadExtension(module.exports);
  return result;
};

const allowedFile = (file) => inside(resources, file) || allowed.some((a) => inside(a, file));

// require(): CommonJS resolution does not pass through the module.register hooks.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const file = resolveFilename.call(this, request, parent, ...rest);
  if (path.isAbsolute(file) && !allowedFile(file)) {
    const from = parent?.filename ?? '(top level)';
    throw Object.assign(violation(`require('${request}') from ${from} resolves outside the app: ${file}`), {
      code: 'MODULE_NOT_FOUND',
    });
  }
  return file;
};

register('./asar-rules-hooks.mjs', import.meta.url, {
  data: { resources, allowed, violationsFile },
});
