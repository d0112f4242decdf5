import fs from 'node:fs';
import path from 'node:path';

/** Bytes under a path (files only); 0 when it does not exist. Symlinks are not followed. */
export function pathSize(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const name of fs.readdirSync(p)) total += pathSize(path.join(p, name));
  return total;
}
