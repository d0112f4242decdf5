import { describe, expect, it } from 'vitest';
import type { MailMessage } from './mail-message.ts';
import { messageDocument } from './message-text.ts';

const history = Array.from({ length: 30 }, (_, i) => `Butir ${i + 1} dari surat kantor imigrasi.`);

function reply(subject: string): MailMessage {
  return {
    headers: {
      messageId: 'b@x',
      inReplyTo: 'a@x',
      references: ['a@x'],
      threadId: 'a@x',
      subject,
      from: [{ name: 'Sari', address: 'sari@x.id' }],
      to: [],
      cc: [],
      date: null,
      dateText: null,
    },
    text: [
      'Pak Budi, mohon lihat di bawah.',
      '',
      '-----Original Message-----',
      'From: Kantor Imigrasi <info@imigrasi.go.id>',
      'Sent: Monday, March 3, 2025 9:12 AM',
      'Subject: Persyaratan',
      '',
      ...history,
    ].join('\n'),
    html: null,
    attachments: [],
    skipped: [],
  };
}

const text = (m: MailMessage, known: boolean) =>
  messageDocument(m, 'x', [], known)
    .sections.map((s) => `${s.headingPath.join(' > ')}: ${s.text}`)
    .join('\n');

describe('messageDocument', () => {
  it('folds the quoted history of a reply whose original the collection has', () => {
    expect(text(reply('RE: Persyaratan'), true)).not.toContain('Butir 25 ');
  });

  it('keeps the whole history, under "Quoted", when the original is not known, and always in a forward', () => {
    for (const [subject, known] of [
      ['RE: Persyaratan', false],
      ['FW: Persyaratan', true],
      ['Fwd: Persyaratan', true],
    ] as const) {
      const out = text(reply(subject), known);
      expect(out).toContain(`${subject} > Quoted: -----Original Message-----`);
      expect(out).toContain('Butir 25 dari surat kantor imigrasi.');
      expect(out).toContain('Butir 30 dari surat kantor imigrasi.');
    }
  });
});
