// Plain Node cannot read inside an asar archive, Electron can. To run the assembled package under
// Node, the archive is "mounted": its files materialised in a folder named `app.asar`, with
// app.asar.unpacked/ and the extra resources beside it — the paths an installed app has, so every
// import.meta.url and resources path is what Electron would show. What the archive says stays
// authoritative: its header (which files are unpacked) goes to asar-rules.mjs, which enforces it.
import fs from 'node:fs';
import path from 'node:path';
import { extractFile, getRawHeader } from '@electron/asar';

export interface MountedApp {
  /** Holds resources/ and the archive's header; outside any node_modules. */
  root: string;
  /** `<root>/resources`: the folder Electron's process.resourcesPath names. */
  resources: string;
  /** `<resources>/app.asar`, a folder here. */
  appDir: string;
  /** The archive's header as JSON (read by asar-rules.mjs in every engine process). */
  headerFile: string;
  durationMs: number;
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  executable?: boolean;
  link?: string;
}

/** Hard-links (same file system) or copies a file. */
function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const d of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, d.name);
    const dest = path.join(to, d.name);
    if (d.isDirectory()) linkTree(src, dest);
    else if (d.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dest);
    else linkOrCopy(src, dest);
  }
}

/** Writes every entry of the archive under `dest`; unpacked entries come from `<archive>.unpacked`. */
function materialise(archive: string, node: HeaderNode, dest: string, rel: string): void {
  for (const [name, child] of Object.entries(node.files ?? {})) {
    const childRel = rel ? `${rel}/${name}` : name;
    const target = path.join(dest, ...childRel.split('/'));
    if (child.files) {
      fs.mkdirSync(target, { recursive: true, mode: 0o755 });
      materialise(archive, child, dest, childRel);
    } else if (child.link !== undefined) {
      // Links in the header are relative to the archive's root.
      fs.symlinkSync(path.relative(path.dirname(target), path.join(dest, child.link)), target);
    } else if (child.unpacked) {
      const outside = path.join(`${archive}.unpacked`, ...childRel.split('/'));
      if (!fs.existsSync(outside)) {
        throw new Error(`app.asar lists ${childRel} as unpacked, but app.asar.unpacked/ does not have it`);
      }
      linkOrCopy(outside, target);
    } else {
      fs.writeFileSync(target, extractFile(archive, childRel), { mode: child.executable ? 0o755 : 0o644 });
    }
  }
}

/** Mounts `<resources>/app.asar` (an assembled package) under `root`, a new folder. */
export function mountPackage(resources: string, root: string): MountedApp {
  // Installed files are readable by all (umask 022), whatever this process set for itself.
  const saved = process.umask(0o022);
  try {
    return mount(resources, root);
  } finally {
    process.umask(saved);
  }
}

function mount(resources: string, root: string): MountedApp {
  const started = performance.now();
  const archive = path.join(resources, 'app.asar');
  const mounted = path.join(root, 'resources');
  const appDir = path.join(mounted, 'app.asar');
  fs.mkdirSync(appDir, { recursive: true, mode: 0o755 });
  // Readable (never writable) by the unprivileged user the engine runs as: the app is installed.
  fs.chmodSync(root, 0o755);
  fs.chmodSync(mounted, 0o755);

  const { header } = getRawHeader(archive) as { header: HeaderNode };
  materialise(archive, header, appDir, '');
  for (const d of fs.readdirSync(resources, { withFileTypes: true })) {
    if (d.name === 'app.asar') continue;
    const src = path.join(resources, d.name);
    if (d.isDirectory()) linkTree(src, path.join(mounted, d.name));
    else linkOrCopy(src, path.join(mounted, d.name));
  }
  const headerFile = path.join(root, 'asar-header.json');
  fs.writeFileSync(headerFile, JSON.stringify(header));
  return {
    root,
    resources: mounted,
    appDir,
    headerFile,
    durationMs: Math.round(performance.now() - started),
  };
}
