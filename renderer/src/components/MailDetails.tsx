import type { ResultOf } from '../../../core/contract/contract.ts';
import type { documentsGetContract, DocumentRef } from '../../../core/contract/methods/documents.ts';
import { formatDate } from '../format.ts';
import { useOpenPassage } from './passage-context.tsx';
import { StatusBadge } from './StatusBadge.tsx';

type Doc = ResultOf<typeof documentsGetContract>;

const address = (a: { name: string; address: string }) =>
  a.name && a.address ? `${a.name} <${a.address}>` : a.name || a.address;

/** Whether a document has anything for MailDetails to show. */
export function hasMailDetails(d: Doc): boolean {
  return Boolean(d.email || d.parent || d.members.total || d.thread.length > 1);
}

/**
 * A message's headers, the document it sits in (an attachment's message, a message's mailbox),
 * the documents inside it (a message's attachments, a mailbox's messages) and its thread, each a
 * link that opens that document here.
 */
export function MailDetails({ doc }: { doc: Doc }) {
  const open = useOpenPassage();
  const e = doc.email;
  const link = (r: DocumentRef, current = false) => (
    <button
      type="button"
      className="link"
      aria-current={current ? 'true' : undefined}
      disabled={current}
      onClick={() => open({ documentId: r.id })}
    >
      {r.title ?? r.sourcePath}
    </button>
  );
  const membersLabel = doc.fileType === 'mbox' ? 'Messages' : 'Attachments';
  return (
    <section className="mail-details" aria-label="E-mail details">
      {e ? (
        <dl className="mail-headers">
          {e.from.length ? row('From', e.from.map(address).join(', ')) : null}
          {e.to.length ? row('To', e.to.map(address).join(', ')) : null}
          {e.cc.length ? row('Cc', e.cc.map(address).join(', ')) : null}
          {e.date ? row('Date', new Date(e.date).toLocaleString()) : null}
          {e.subject ? row('Subject', e.subject) : null}
        </dl>
      ) : null}
      {doc.parent ? (
        <p className="small">
          {doc.fileType === 'email' ? 'Message in ' : 'Attachment of '}
          {link(doc.parent)}
        </p>
      ) : null}
      {doc.members.total ? (
        <div>
          <h3 className="small">
            {membersLabel} ({doc.members.total})
          </h3>
          <ul className="mail-list" aria-label={membersLabel}>
            {doc.members.items.map((m) => (
              <li key={m.id}>
                {link(m)} <span className="muted small">{m.fileType ?? 'file'}</span>{' '}
                <StatusBadge status={m.status} />
                {m.error ? <span className="muted small"> {m.error}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {e?.notImported.length ? (
        <p className="muted small">
          Not imported: {e.notImported.map((n) => `${n.name} (${n.why})`).join('; ')}
        </p>
      ) : null}
      {e?.alsoIn.length ? (
        <p className="muted small">Also in (not indexed twice): {e.alsoIn.join(', ')}</p>
      ) : null}
      {doc.thread.length > 1 ? (
        <div>
          <h3 className="small">Thread ({doc.thread.length} messages)</h3>
          <ol className="mail-list" aria-label="Thread">
            {doc.thread.map((m) => (
              <li key={m.id}>
                {link(m, m.id === doc.id)}{' '}
                <span className="muted small">
                  {m.from ?? ''} · {formatDate(m.date)}
                </span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}

function row(label: string, value: string) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
