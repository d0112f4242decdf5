// `node --import register.mjs <app>/bin/pustaka.js …`: every import and require() made from the
// app's own files (those under PUSTAKA_GUARD_ROOT, outside node_modules) must name a package of
// its package.json "dependencies", a node builtin or a file that is not TypeScript. So a built
// app that still needs tsx, esbuild, typescript or any other dev dependency fails at once.
import fs from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { refusal } from './hooks.mjs';

const root = fs.realpathSync(process.env.PUSTAKA_GUARD_ROOT);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const allowed = Object.keys(pkg.dependencies ?? {});
const appUrl = pathToFileURL(root + path.sep).href;
const ours = (file) =>
  file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);

register('./hooks.mjs', import.meta.url, { data: { appUrl, allowed } });

// require() (the bundle's createRequire banner) does not go through the hooks above on Node 20.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const problem = parent?.filename && ours(parent.filename) ? refusal(request, allowed) : null;
  if (problem) throw new Error(`${problem} (required by ${parent.filename})`);
  return resolveFilename.call(this, request, parent, ...rest);
};
