import { describe, expect, it } from 'vitest';
import { QUOTE_KEEP_LINES, foldQuotes } from './quotes.ts';

const lines = (n: number, prefix = '') =>
  Array.from({ length: n }, (_, i) => `${prefix}Baris kutipan nomor ${i + 1} dari pesan sebelumnya.`);

describe('foldQuotes', () => {
  it('cuts a long ">" block to its first lines and says how many were left out', () => {
    const text = [
      'Setuju, terima kasih.',
      '',
      'On Mon, 3 Mar 2025 at 09:12, Budi <b@x.id> wrote:',
      ...lines(40, '> '),
    ].join('\n');
    const { text: out, dropped } = foldQuotes(text);
    expect(dropped).toBe(40 - QUOTE_KEEP_LINES);
    expect(out).toContain('Setuju, terima kasih.');
    expect(out).toContain('On Mon, 3 Mar 2025 at 09:12, Budi <b@x.id> wrote:');
    expect(out).toContain(`> Baris kutipan nomor ${QUOTE_KEEP_LINES} `);
    expect(out).not.toContain(`> Baris kutipan nomor ${QUOTE_KEEP_LINES + 1} `);
    expect(out).toContain(`[… ${40 - QUOTE_KEEP_LINES} more quoted lines of the earlier message left out]`);
  });

  it('keeps short inline quotes whole (a question quoted, then answered)', () => {
    const text = ['> Kapan kantor buka?', 'Pukul 08.00.', '', '> Perlu paspor asli?', 'Ya.'].join('\n');
    expect(foldQuotes(text)).toEqual({ text, dropped: 0 });
  });

  it("folds Outlook's quoted history below a top-posted reply, but not a message's own text", () => {
    const outlook = [
      'Baik, saya kirim besok.',
      '',
      '-----Original Message-----',
      'From: Budi Santoso',
      'Sent: Monday, March 3, 2025 9:12 AM',
      'To: René Müller',
      'Subject: KITAS',
      '',
      ...lines(30),
    ].join('\n');
    const folded = foldQuotes(outlook);
    expect(folded.text).toContain('Baik, saya kirim besok.');
    expect(folded.text).toContain('-----Original Message-----');
    expect(folded.dropped).toBeGreaterThan(15);

    // "wrote:" in the message's own words (no date, no address) starts no quote.
    const own = ['The officer wrote:', ...lines(30)].join('\n');
    expect(foldQuotes(own).dropped).toBe(0);
    // A forward starts with the header block: its content is the point of the message.
    const forward = outlook.split('\n').slice(2).join('\n');
    expect(foldQuotes(forward).dropped).toBe(0);
  });

  it('folds unmarked quoted text after an attribution line (HTML mail turned into text)', () => {
    const text = [
      'Terima kasih.',
      'Pada tanggal Sen, 3 Mar 2025 pukul 09.12 Budi Santoso <budi@konsultan-visa.co.id>',
      'menulis:',
      ...lines(25),
    ].join('\n');
    const { text: out, dropped } = foldQuotes(text);
    expect(dropped).toBe(25 - QUOTE_KEEP_LINES + 2);
    expect(out).toContain('menulis:');
  });
});
