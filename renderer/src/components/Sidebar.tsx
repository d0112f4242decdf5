import { SCREENS, type ScreenId } from '../routes.ts';
import { Icon } from './Icon.tsx';

/** Navigation; Ctrl/Cmd+1…9 jump to a screen, Ctrl/Cmd+K to search. */
export function Sidebar({ current, onGo }: { current: ScreenId; onGo: (id: ScreenId) => void }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Pustaka</div>
      <ul>
        {SCREENS.map((s) => (
          <li key={s.id}>
            <a
              href={`#/${s.id}`}
              aria-current={s.id === current ? 'page' : undefined}
              title={`${s.label} (Ctrl+${s.key})`}
              onClick={(e) => {
                e.preventDefault();
                onGo(s.id);
              }}
            >
              <Icon name={s.id} />
              {s.label}
            </a>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot muted small">Offline · on this computer</div>
    </nav>
  );
}
