import { useEffect, type ReactNode } from 'react';

/** A side panel over the screen; Esc or the close button dismisses it. */
export function Drawer({
  label,
  onClose,
  children,
}: {
  label: string;
  onClose: () => void;
  children: ReactNode;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-label={label} onClick={(e) => e.stopPropagation()}>
        <button type="button" className="icon close" aria-label="Close" onClick={onClose}>
          ×
        </button>
        {children}
      </aside>
    </div>
  );
}
