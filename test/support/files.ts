import fs from 'node:fs';
import path from 'node:path';

/** Writes a file under root, creating its folders; returns its path. */
export function writeFile(root: string, rel: string, content: string | Buffer): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** A small Markdown guide with two headed sections, shared by import and search tests. */
export const VISA_GUIDE_MD = `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. The sponsor company applies first.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS.
`;
