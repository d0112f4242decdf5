#!/usr/bin/env python3
"""E-mail fixtures for the import tests, written by Python's own `email` and `mailbox` packages
(what real mail software produces: MIME structure, RFC 2047 encoded words, quoted-printable and
base64, mboxo "From " lines with ">From " quoting), from real material: paragraphs of the Debian
Administrator's Handbook (Indonesian and English HTML) for the bodies, and PDF/DOCX files
LibreOffice made from it (scripts/fetch-real-docs.sh --office) as attachments.

    python3 test/support/mail-fixtures.py <handbook html dir> <office dir> <out dir>

Writes into <out dir>:
  inbox.mbox        a thread of three messages (plain text with a long quoted history, an HTML-only
                    reply), a PDF and a DOCX attachment, a message whose body has a "From " line,
                    one without a Message-ID, one with a damaged PDF attachment, and one damaged
                    message (no header lines)
  archive.mbox      the thread's second message again (same Message-ID) and a new one
  pemberitahuan.eml an Indonesian message with an ISO-8859-1 quoted-printable subject and body
  tagihan.eml       a Windows-1252 message (curly quotes, en dash) with an .eml forwarded inside
Prints a JSON summary (Message-IDs, subjects) for the test to check against.

    python3 test/support/mail-fixtures.py <handbook html dir> - <out dir> --bulk N

writes bulk.mbox instead: N messages in threads of four (crash-resume test, throughput).
"""
import json
import mailbox
import os
import sys
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

WIB = timezone(timedelta(hours=7))


class Paragraphs(HTMLParser):
    """The text of the handbook's <div class="para"> blocks."""

    def __init__(self):
        super().__init__()
        self.paras, self.depth, self.cur = [], 0, None

    def handle_starttag(self, tag, attrs):
        if self.cur is not None:
            if tag == 'div':
                self.depth += 1
        elif tag == 'div' and ('class', 'para') in attrs:
            self.cur, self.depth = [], 1

    def handle_endtag(self, tag):
        if self.cur is not None and tag == 'div':
            self.depth -= 1
            if self.depth == 0:
                text = ' '.join(''.join(self.cur).split())
                if len(text) > 80:
                    self.paras.append(text)
                self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)


def paragraphs(html_dir, lang, page):
    p = Paragraphs()
    with open(os.path.join(html_dir, lang, page), encoding='utf-8') as f:
        p.feed(f.read())
    return p.paras


def wrap(text, width=72):
    words, lines, line = text.split(), [], ''
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f'{line} {w}' if line else w
    if line:
        lines.append(line)
    return '\n'.join(lines)


BUDI = ('Budi Santoso', 'budi@konsultan-visa.co.id')
RENE = ('René Müller', 'rene.muller@example.com')
SARI = ('Sari Dewi', 'sari@konsultan-visa.co.id')


def addr(p):
    return formataddr(p)


def when(day, hour, minute=0):
    return format_datetime(datetime(2025, 3, day, hour, minute, tzinfo=WIB))


def base(msg, frm, to, cc, subject, date, mid, refs=()):
    msg['From'] = addr(frm)
    msg['To'] = addr(to)
    if cc:
        msg['Cc'] = addr(cc)
    msg['Subject'] = subject
    msg['Date'] = date
    if mid:
        msg['Message-ID'] = f'<{mid}>'
    if refs:
        msg['In-Reply-To'] = f'<{refs[-1]}>'
        msg['References'] = ' '.join(f'<{r}>' for r in refs)
    return msg


def attach(msg, path, name, subtype):
    with open(path, 'rb') as f:
        part = MIMEApplication(f.read(), _subtype=subtype)
    part.add_header('Content-Disposition', 'attachment', filename=name)
    msg.attach(part)


def quoted(text):
    return '\n'.join('> ' + line if line else '>' for line in text.split('\n'))


def main(html_dir, office_dir, out):
    os.makedirs(out, exist_ok=True)
    id_paras = paragraphs(html_dir, 'id-ID', 'sect.apt-get.html')
    en_paras = paragraphs(html_dir, 'en-US', 'sect.apt-get.html')
    ids = {}

    # 1. The thread's first message: Indonesian handbook text, a PDF of the handbook page attached.
    body1 = 'Selamat pagi Pak René,\n\n' + '\n\n'.join(wrap(p) for p in id_paras[:6]) + '\n\nSalam,\nBudi'
    m1 = MIMEMultipart()
    base(m1, BUDI, RENE, SARI, 'Perpanjangan KITAS: dokumen yang diperlukan', when(3, 9, 12),
         'kitas-001@konsultan-visa.co.id')
    m1.attach(MIMEText(body1, 'plain', 'utf-8'))
    attach(m1, os.path.join(office_dir, 'sect.apt-get.pdf'), 'panduan-apt-get.pdf', 'pdf')
    ids['first'] = {'messageId': 'kitas-001@konsultan-visa.co.id', 'subject': m1['Subject'],
                    'firstParagraph': id_paras[0], 'lastQuotedParagraph': id_paras[5]}

    # 2. A top-posted reply quoting all of the first message.
    reply = wrap(en_paras[0]) + '\n\nBest regards,\nRené'
    body2 = f'{reply}\n\nOn Mon, 3 Mar 2025 at 09:12, Budi Santoso <budi@konsultan-visa.co.id> wrote:\n{quoted(body1)}'
    m2 = base(EmailMessage(), RENE, BUDI, SARI, 'Re: Perpanjangan KITAS: dokumen yang diperlukan',
              when(3, 14, 30), 'kitas-002@example.com', ['kitas-001@konsultan-visa.co.id'])
    m2.set_content(body2)
    ids['second'] = {'messageId': 'kitas-002@example.com', 'reply': en_paras[0]}

    # 3. An HTML-only reply (no text/plain part) with a DOCX attached; its quote is a <blockquote>.
    html3 = ('<html><body><p>' + en_paras[1] + '</p><p>Salam,<br>Budi</p>'
             '<div class="gmail_quote"><div>On Mon, 3 Mar 2025 at 14:30, René Müller '
             '&lt;rene.muller@example.com&gt; wrote:</div><blockquote>'
             + ''.join(f'<p>{p}</p>' for p in en_paras[:1]) + '</blockquote></div></body></html>')
    m3 = MIMEMultipart()
    base(m3, BUDI, RENE, None, 'Re: Perpanjangan KITAS: dokumen yang diperlukan', when(4, 8, 5),
         'kitas-003@konsultan-visa.co.id', ['kitas-001@konsultan-visa.co.id', 'kitas-002@example.com'])
    m3.attach(MIMEText(html3, 'html', 'utf-8'))
    attach(m3, os.path.join(office_dir, 'sect.apt-cache.docx'), 'apt-cache.docx',
           'vnd.openxmlformats-officedocument.wordprocessingml.document')
    ids['third'] = {'messageId': 'kitas-003@konsultan-visa.co.id', 'html': en_paras[1]}

    # 4. Not in the thread; a body line starting with "From " (mbox writers quote it ">From ").
    m4 = base(EmailMessage(), SARI, BUDI, None, 'Jadwal kantor imigrasi', when(5, 10),
              'jadwal-010@konsultan-visa.co.id')
    m4.set_content('Pak Budi,\n\nFrom the immigration office: the counter opens at 08:00 on weekdays.\n'
                   'Bring the original passport.\n\nSari')

    # 5. No Message-ID at all.
    m5 = base(EmailMessage(), SARI, BUDI, None, 'Catatan tanpa Message-ID', when(5, 11), None)
    m5.set_content(wrap(id_paras[6]))

    # 6. A damaged PDF attachment: the message itself is fine.
    m6 = MIMEMultipart()
    base(m6, BUDI, SARI, None, 'Salinan paspor (rusak)', when(6, 9), 'rusak-020@konsultan-visa.co.id')
    m6.attach(MIMEText('Terlampir salinan paspor.', 'plain', 'utf-8'))
    with open(os.path.join(office_dir, 'sect.apt-get.pdf'), 'rb') as f:
        damaged = f.read()[:1500]  # a PDF cut short
    part = MIMEApplication(damaged, _subtype='pdf')
    part.add_header('Content-Disposition', 'attachment', filename='paspor.pdf')
    m6.attach(part)

    inbox = os.path.join(out, 'inbox.mbox')
    if os.path.exists(inbox):
        os.remove(inbox)
    box = mailbox.mbox(inbox)
    for m in (m1, m2, m3, m4, m5, m6):
        box.add(mailbox.mboxMessage(m))
    box.flush()
    box.close()
    # 7. A damaged message: a From_ line and then bytes that are no header lines.
    with open(inbox, 'ab') as f:
        f.write(b'\nFrom MAILER-DAEMON Fri Mar  7 10:00:00 2025\n'
                + bytes(range(1, 9)) * 40 + b'\n\x00\x01garbage without headers\n\n')

    archive = os.path.join(out, 'archive.mbox')
    if os.path.exists(archive):
        os.remove(archive)
    box = mailbox.mbox(archive)
    box.add(mailbox.mboxMessage(m2))
    m8 = base(EmailMessage(), RENE, BUDI, None, 'Pertanyaan tentang NPWP', when(8, 16),
              'npwp-030@example.com')
    m8.set_content(wrap(id_paras[7]))
    box.add(mailbox.mboxMessage(m8))
    box.flush()
    box.close()
    ids['archiveNew'] = {'messageId': 'npwp-030@example.com'}

    # An Indonesian .eml in ISO-8859-1: subject as RFC 2047 Q-encoded words, body quoted-printable.
    subject = 'Jadwal wawancara imigrasi untuk Bapak René Müller'
    e1 = MIMEText('Yth. Bapak René Müller,\n\n' + wrap(id_paras[8]) + '\n\nHormat kami,\nKantor Imigrasi',
                  'plain', 'iso-8859-1')
    base(e1, SARI, RENE, None, None, when(10, 9), 'wawancara-040@konsultan-visa.co.id')
    del e1['Subject']
    e1['Subject'] = Header(subject, 'iso-8859-1')
    with open(os.path.join(out, 'pemberitahuan.eml'), 'wb') as f:
        f.write(e1.as_bytes())
    ids['latin1'] = {'messageId': 'wawancara-040@konsultan-visa.co.id', 'subject': subject,
                     'encodedSubject': e1['Subject'].encode(), 'paragraph': id_paras[8]}

    # A Windows-1252 .eml with a forwarded message (.eml) attached.
    subject2 = '“Tagihan” jasa visa – Maret 2025'
    e2 = MIMEMultipart()
    base(e2, BUDI, RENE, None, None, when(11, 15), 'tagihan-050@konsultan-visa.co.id')
    del e2['Subject']
    e2['Subject'] = Header(subject2, 'windows-1252')
    e2.attach(MIMEText('Berikut tagihan untuk jasa perpanjangan KITAS – total Rp 5.000.000.', 'plain',
                       'windows-1252'))
    fwd = MIMEApplication(m4.as_bytes(), _subtype='octet-stream')
    fwd.replace_header('Content-Type', 'message/rfc822')
    del fwd['Content-Transfer-Encoding']
    fwd.set_payload([m4])
    fwd.add_header('Content-Disposition', 'attachment', filename='jadwal.eml')
    e2.attach(fwd)
    with open(os.path.join(out, 'tagihan.eml'), 'wb') as f:
        f.write(e2.as_bytes())
    ids['cp1252'] = {'messageId': 'tagihan-050@konsultan-visa.co.id', 'subject': subject2,
                     'encodedSubject': e2['Subject'].encode()}

    print(json.dumps(ids, ensure_ascii=False))


def bulk(html_dir, out, count):
    """bulk.mbox: `count` messages in threads of four, bodies from the handbook's paragraphs."""
    paras = paragraphs(html_dir, 'id-ID', 'sect.apt-get.html') + paragraphs(html_dir, 'en-US', 'sect.apt-get.html')
    path = os.path.join(out, 'bulk.mbox')
    if os.path.exists(path):
        os.remove(path)
    box = mailbox.mbox(path)
    people = (BUDI, RENE, SARI)
    for i in range(count):
        root = i - i % 4
        refs = [f'bulk-{r}@konsultan-visa.co.id' for r in range(root, i)]
        m = base(EmailMessage(), people[i % 3], people[(i + 1) % 3], None,
                 f'{"Re: " if refs else ""}Berkas {root // 4 + 1}: {paras[root % len(paras)][:40]}',
                 when(1 + i % 28, 8 + i % 10, i % 60), f'bulk-{i}@konsultan-visa.co.id', refs)
        m.set_content(f'Pesan {i + 1}.\n\n' + wrap(paras[i % len(paras)]) + '\n\n' + wrap(paras[(i * 7 + 3) % len(paras)]))
        box.add(mailbox.mboxMessage(m))
    box.flush()
    box.close()
    print(json.dumps({'bulk': count}))


if __name__ == '__main__':
    if len(sys.argv) > 4 and sys.argv[4] == '--bulk':
        bulk(sys.argv[1], sys.argv[3], int(sys.argv[5]))
    else:
        main(*sys.argv[1:4])
