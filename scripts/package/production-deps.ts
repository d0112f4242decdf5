// The npm packages an installer carries: the transitive closure of package.json "dependencies"
// (with the optional and peer dependencies that are installed), found the way Node finds them,
// never a devDependency. Each keeps its place in node_modules, so resolution inside the archive is
// the same as in the checkout.
import fs from 'node:fs';
import path from 'node:path';

export interface ProdPackage {
  name: string;
  /** Absolute folder in the checkout. */
  dir: string;
  /** The same folder relative to the repository root, with forward slashes (its path in app.asar). */
  rel: string;
}

export interface ProdDeps {
  packages: ProdPackage[];
  /** Installed packages left out on purpose (see `hostPrebuiltsOnly`), by name. */
  excluded: string[];
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Node's lookup: `<dir>/node_modules/<name>`, then each parent folder's, up to the root. */
function findPackage(name: string, fromDir: string, root: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

/**
 * node-llama-cpp lists a prebuilt package per platform and GPU flavour (CUDA, Vulkan, Metal…) as
 * optional dependencies; npm on each release runner installs the ones that fit it. Keeping only
 * this machine's CPU build (plus Metal on macOS, which is its CPU build there) skips ~600 MB here.
 */
export function isForeignPrebuilt(name: string): boolean {
  if (!name.startsWith('@node-llama-cpp/')) return false;
  const plat = { darwin: 'mac', win32: 'win' }[process.platform as string] ?? process.platform;
  const own = `@node-llama-cpp/${plat}-${process.arch}`;
  return name !== own && name !== `${own}-metal`;
}

export function productionDeps(root: string, opts: { hostPrebuiltsOnly?: boolean } = {}): ProdDeps {
  const found = new Map<string, ProdPackage>();
  const excluded = new Set<string>();
  const queue: Array<{ name: string; from: string; optional: boolean; by: string }> = [];
  const enqueue = (manifest: Manifest, from: string, by: string) => {
    for (const name of Object.keys(manifest.dependencies ?? {}))
      queue.push({ name, from, optional: false, by });
    for (const name of Object.keys(manifest.optionalDependencies ?? {}))
      queue.push({ name, from, optional: true, by });
    // npm installs peers with the package that needs them; an optional peer ships only when
    // something else needs it (installed for a dev tool alone, it is a dev dependency).
    for (const name of Object.keys(manifest.peerDependencies ?? {}))
      if (!manifest.peerDependenciesMeta?.[name]?.optional) queue.push({ name, from, optional: false, by });
  };
  enqueue(readManifest(root), root, 'package.json');

  for (let item = queue.shift(); item; item = queue.shift()) {
    if (opts.hostPrebuiltsOnly && isForeignPrebuilt(item.name)) {
      if (findPackage(item.name, item.from, root)) excluded.add(item.name);
      continue;
    }
    const dir = findPackage(item.name, item.from, root);
    if (!dir) {
      if (item.optional) continue;
      throw new Error(
        `production dependency "${item.name}" (needed by ${item.by}) is not installed: run npm ci`,
      );
    }
    if (found.has(dir)) continue;
    const rel = path.relative(root, dir).split(path.sep).join('/');
    if (rel.startsWith('..')) throw new Error(`${item.name} resolves outside the repository (${dir})`);
    found.set(dir, { name: item.name, dir, rel });
    enqueue(readManifest(dir), dir, item.name);
  }
  return {
    packages: [...found.values()].sort((a, b) => a.rel.localeCompare(b.rel)),
    excluded: [...excluded].sort(),
  };
}
