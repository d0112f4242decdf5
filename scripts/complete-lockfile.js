// The npm registry reachable from our build machines does not serve node-llama-cpp's prebuilt
// binaries for other platforms (macOS, Windows, riscv64), so `npm install` here leaves them out of
// package-lock.json, and `npm ci` then refuses the lockfile as out of sync. This adds the missing
// optional entries (with their os/cpu, so npm skips them on other platforms). Run it after any
// `npm install` that changes node-llama-cpp: `node scripts/complete-lockfile.js`.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const version = lock.packages['node_modules/node-llama-cpp']?.version;
if (!version) throw new Error('node-llama-cpp is not in package-lock.json');

const PLATFORMS = {
  'linux-arm64': ['linux', 'arm64'],
  'linux-armv7l': ['linux', 'arm'],
  'linux-riscv64': ['linux', 'riscv64'],
  'linux-x64': ['linux', 'x64'],
  'linux-x64-cuda': ['linux', 'x64'],
  'linux-x64-cuda-ext': ['linux', 'x64'],
  'linux-x64-vulkan': ['linux', 'x64'],
  'mac-arm64-metal': ['darwin', 'arm64'],
  'mac-x64': ['darwin', 'x64'],
  'win-arm64': ['win32', 'arm64'],
  'win-x64': ['win32', 'x64'],
  'win-x64-cuda': ['win32', 'x64'],
  'win-x64-cuda-ext': ['win32', 'x64'],
  'win-x64-vulkan': ['win32', 'x64'],
};

let added = 0;
for (const [name, [os, cpu]] of Object.entries(PLATFORMS)) {
  const key = `node_modules/@node-llama-cpp/${name}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = {
    version,
    resolved: `https://registry.npmjs.org/@node-llama-cpp/${name}/-/${name}-${version}.tgz`,
    cpu: [cpu],
    license: 'MIT',
    optional: true,
    os: [os],
    engines: { node: '>=20.0.0' },
  };
  added++;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} optional node-llama-cpp platform entries added`);
