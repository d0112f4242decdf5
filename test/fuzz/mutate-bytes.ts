import { makeZip, type ZipEntryInput } from '../support/extractor-fixtures.ts';

type Random = () => number;

const int = (random: Random, n: number) => Math.floor(random() * n);

/** Snippets that upset parsers: entity bombs, unbalanced markup, odd encodings, PDF syntax. */
const HOSTILE = [
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x>&c;</x>',
  '<a><b><c>',
  '</w:t></w:r></w:p></w:body>',
  '<![CDATA[',
  '"\n"""\n,,,,\r\r\n',
  '\u0000\u0001\ufffe\uffff',
  '\xef\xbb\xbf\xff\xfe',
  '<<<<<<<',
  '%PDF-1.7\n1 0 obj << /Length 999999 >> stream\n',
  '/Type /Page /Contents 5 0 R /Resources << >>',
  'trailer << /Root 1 0 R /Size 99999999 >>',
  '{"a":'.repeat(200),
  '['.repeat(5_000),
  'x'.repeat(200_000),
  '\n'.repeat(50_000),
];

export function randomBytes(random: Random, max = 8_192): Buffer {
  const out = Buffer.alloc(int(random, max + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(random, 256);
  return out;
}

/** One random change to a byte string. */
export function mutateBytes(random: Random, input: Buffer): Buffer {
  const bytes = Buffer.from(input);
  switch (int(random, 5)) {
    case 0: {
      // flip a few bytes
      for (let n = 1 + int(random, 16); n > 0 && bytes.length; n--)
        bytes[int(random, bytes.length)] = int(random, 256);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, int(random, bytes.length + 1)); // truncate
    case 2: {
      // splice in a hostile snippet
      const at = int(random, bytes.length + 1);
      const snippet = Buffer.from(HOSTILE[int(random, HOSTILE.length)]!, 'latin1');
      return Buffer.concat([bytes.subarray(0, at), snippet, bytes.subarray(at)]);
    }
    case 3: {
      // duplicate a region (repeated objects, tags, rows)
      const a = int(random, bytes.length + 1);
      const b = Math.min(bytes.length, a + int(random, 2_048));
      const region = bytes.subarray(a, b);
      return Buffer.concat([bytes.subarray(0, b), region, region, region, bytes.subarray(b)]);
    }
    default: {
      // delete a region
      const a = int(random, bytes.length + 1);
      const b = Math.min(bytes.length, a + int(random, 512));
      return Buffer.concat([bytes.subarray(0, a), bytes.subarray(b)]);
    }
  }
}

/** A valid ZIP whose content is damaged: one entry mutated, dropped or duplicated. */
export function mutateZipEntries(random: Random, entries: ZipEntryInput[]): Buffer {
  const copy = entries.map((e) => ({ ...e }));
  const i = int(random, copy.length);
  const r = random();
  if (r < 0.15) copy.splice(i, 1);
  else if (r < 0.25) copy.push({ ...copy[i]!, name: copy[i]!.name });
  else copy[i] = { ...copy[i]!, data: mutateBytes(random, Buffer.from(copy[i]!.data)) };
  return makeZip(copy);
}
