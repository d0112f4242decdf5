import { useState } from 'react';

/** A one-line question in place (Electron has no window.prompt); Enter confirms, Esc cancels. */
export function InlinePrompt({
  label,
  initial = '',
  confirm,
  allowEmpty = false,
  onConfirm,
  onCancel,
}: {
  label: string;
  initial?: string;
  confirm: string;
  allowEmpty?: boolean;
  onConfirm: (value: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(initial);
  return (
    <form
      className="row-form inline-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (allowEmpty || value.trim()) onConfirm(value.trim());
      }}
    >
      <label className="grow">
        {label}
        <input
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              onCancel();
            }
          }}
        />
      </label>
      <button type="submit" className="primary" disabled={!allowEmpty && !value.trim()}>
        {confirm}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
