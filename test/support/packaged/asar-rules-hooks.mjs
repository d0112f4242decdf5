// Module hooks of asar-rules.mjs (registered with module.register, run on the loader thread):
// every import that resolves to a file must resolve inside the installed app.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let resources = '';
let allowed = [];
let violationsFile = '';

export function initialize(data) {
  ({ resources, allowed, violationsFile } = data);
}

const inside = (dir, file) => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!result.url.startsWith('file:')) return result;
  const file = fileURLToPath(result.url);
  if (inside(resources, file) || allowed.some((a) => inside(a, file))) return result;
  const from = context.parentURL ? fileURLToPath(context.parentURL) : '(entry point)';
  const line = `packaged app: import '${specifier}' from ${from} resolves outside the app: ${file}`;
  fs.appendFileSync(violationsFile, `${line}\n`);
  throw Object.assign(new Error(line), { code: 'ERR_MODULE_NOT_FOUND' });
}
