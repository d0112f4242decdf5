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

/** A KITAS guide with fees, work, etiquette and company sections, shared by the golden and worker tests. */
export const KITAS_GUIDE_MD = `# KITAS guide

## Fees
The KITAS fee for one year is Rp 5.000.000 for an investor. A KITAP costs Rp 9.000.000.

## Working
You cannot work on a B211A visa. A work permit needs an RPTKA from the employer.

## Etiquette
Address officials as Bapak or Ibu; polite greetings and respect for local customs matter at the immigration office.

## Company
A PT PMA needs a notary deed and an NIB from the OSS system before it can sponsor a KITAS.
`;
