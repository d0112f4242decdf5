// Module resolve hook (registered by register.mjs): see there.
import { builtinModules } from 'node:module';

let guard;

export function initialize(data) {
  guard = data;
}

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  const ours = guard && parent.startsWith(guard.appUrl) && !parent.includes('/node_modules/');
  const problem = ours ? refusal(specifier, guard.allowed) : null;
  if (problem) throw new Error(`${problem} (imported by ${context.parentURL})`);
  return next(specifier, context);
}

/** Why the app may not import `specifier` at run time, or null. */
export function refusal(specifier, allowed) {
  if (/\.[cm]?tsx?$/.test(specifier)) return `the built app imports TypeScript: ${specifier}`;
  if (/^(\.|\/|file:|node:|data:)/.test(specifier)) return null;
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0];
  if (builtinModules.includes(name) || allowed.includes(name)) return null;
  return `the built app needs "${name}", which is not in package.json "dependencies"`;
}
