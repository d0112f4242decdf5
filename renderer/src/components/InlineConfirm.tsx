/**
 * A yes/no question in place (Electron has no window.confirm). Focus starts on Cancel so a stray
 * Enter never destroys anything; Esc cancels.
 */
export function InlineConfirm({
  question,
  confirm,
  danger = true,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div
      className="row-form wrap inline-confirm"
      role="group"
      aria-label={question}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <span className="grow small">{question}</span>
      <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm}>
        {confirm}
      </button>
      <button type="button" autoFocus onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
