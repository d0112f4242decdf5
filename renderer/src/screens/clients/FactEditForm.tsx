import { useState } from 'react';
import type { FactInfo } from '../../../../core/contract/methods/memory.ts';

export interface FactChanges {
  subject?: string;
  attribute?: string;
  value?: string;
}

/** Correct a fact's subject, attribute or value in place; only the changed fields are sent. */
export function FactEditForm({
  fact,
  busy,
  onSave,
  onCancel,
}: {
  fact: FactInfo;
  busy: boolean;
  onSave: (changes: FactChanges) => void;
  onCancel: () => void;
}) {
  const [subject, setSubject] = useState(fact.subject);
  const [attribute, setAttribute] = useState(fact.attribute);
  const [value, setValue] = useState(fact.value);
  const changes: FactChanges = {
    ...(subject.trim() !== fact.subject ? { subject: subject.trim() } : {}),
    ...(attribute.trim() !== fact.attribute ? { attribute: attribute.trim() } : {}),
    ...(value.trim() !== fact.value ? { value: value.trim() } : {}),
  };
  const valid = subject.trim() && attribute.trim() && value.trim();
  const changed = Object.keys(changes).length > 0;
  return (
    <form
      className="row-form wrap"
      aria-label={`Edit fact: ${fact.fact}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (valid && changed) onSave(changes);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <label>
        Subject
        <input autoFocus value={subject} maxLength={200} onChange={(e) => setSubject(e.target.value)} />
      </label>
      <label>
        Attribute
        <input value={attribute} maxLength={60} onChange={(e) => setAttribute(e.target.value)} />
      </label>
      <label className="grow">
        Value
        <input value={value} maxLength={500} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy || !valid || !changed}>
        Save
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
