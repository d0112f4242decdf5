import { useState } from 'react';
import type { ContextNote } from '../../../../core/contract/methods/notes.ts';

export interface NoteFields {
  topic: string;
  content: string;
  whenToUse: string;
  tone: string;
}

/** Write or change a context note: topic, the note itself, when it applies and the tone it asks for. */
export function NoteForm({
  note,
  busy,
  submitLabel,
  onSave,
  onCancel,
}: {
  note?: ContextNote;
  busy: boolean;
  submitLabel: string;
  onSave: (fields: NoteFields, approve: boolean) => void;
  onCancel: () => void;
}) {
  const [topic, setTopic] = useState(note?.topic ?? '');
  const [content, setContent] = useState(note?.content ?? '');
  const [whenToUse, setWhenToUse] = useState(note?.whenToUse ?? '');
  const [tone, setTone] = useState(note?.tone ?? '');
  const valid = topic.trim() !== '' && content.trim() !== '';
  const fields = {
    topic: topic.trim(),
    content: content.trim(),
    whenToUse: whenToUse.trim(),
    tone: tone.trim(),
  };
  const canApprove = note !== undefined && note.reviewStatus !== 'approved';
  return (
    <form
      className="stack"
      aria-label={note ? `Edit note: ${note.topic}` : 'New context note'}
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSave(fields, false);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <label>
        Topic
        <input
          autoFocus
          required
          maxLength={200}
          value={topic}
          placeholder="e.g. Greeting officials at the immigration office"
          onChange={(e) => setTopic(e.target.value)}
        />
      </label>
      <label>
        Note
        <textarea
          required
          rows={5}
          maxLength={4000}
          value={content}
          placeholder="What to keep in mind, in a few sentences."
          onChange={(e) => setContent(e.target.value)}
        />
      </label>
      <div className="row-form wrap">
        <label className="grow">
          When to use
          <input
            maxLength={500}
            value={whenToUse}
            placeholder="e.g. questions about appointments or visits to offices"
            onChange={(e) => setWhenToUse(e.target.value)}
          />
        </label>
        <label>
          Tone
          <input
            maxLength={50}
            value={tone}
            placeholder="e.g. formal"
            onChange={(e) => setTone(e.target.value)}
          />
        </label>
      </div>
      <div className="actions start">
        {canApprove ? (
          <button
            type="button"
            className="primary"
            disabled={busy || !valid}
            onClick={() => onSave(fields, true)}
          >
            Save and approve
          </button>
        ) : null}
        <button type="submit" className={canApprove ? undefined : 'primary'} disabled={busy || !valid}>
          {submitLabel}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
