import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../../core/contract/client.ts';
import { ApiProvider } from './api/api-context.tsx';
import { LockContext } from './api/lock-context.ts';
import { lockAwareClient } from './api/lock-aware-client.ts';
import { connectToEngine, type Connection } from './api/connection.ts';
import { ConnectionScreen } from './components/ConnectionScreen.tsx';
import { DocumentViewer } from './components/DocumentViewer.tsx';
import { Drawer } from './components/Drawer.tsx';
import { PassageContext, type PassageRef } from './components/passage-context.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { SCREENS, useRoute, type ScreenId } from './routes.ts';
import { ChatScreen } from './screens/chat/ChatScreen.tsx';
import { AnalyticsScreen } from './screens/analytics/AnalyticsScreen.tsx';
import { ClientsScreen } from './screens/clients/ClientsScreen.tsx';
import { GoldenScreen } from './screens/golden/GoldenScreen.tsx';
import { LibraryScreen } from './screens/library/LibraryScreen.tsx';
import { LockScreen } from './screens/lock/LockScreen.tsx';
import { ModelsScreen } from './screens/models/ModelsScreen.tsx';
import { SearchScreen } from './screens/search/SearchScreen.tsx';
import { SettingsScreen } from './screens/settings/SettingsScreen.tsx';
import { WorkerScreen } from './screens/worker/WorkerScreen.tsx';

const SCREEN_VIEWS: Record<ScreenId, () => React.JSX.Element> = {
  chat: ChatScreen,
  library: LibraryScreen,
  search: SearchScreen,
  golden: GoldenScreen,
  clients: ClientsScreen,
  analytics: AnalyticsScreen,
  worker: WorkerScreen,
  models: ModelsScreen,
  settings: SettingsScreen,
};

export function App() {
  const [connection, setConnection] = useState<Connection>({ status: 'connecting' });
  useEffect(() => connectToEngine(setConnection), []);
  if (connection.status !== 'ready') return <ConnectionScreen connection={connection} />;
  // A new connection (after an engine restart) remounts the screens so they reload their data.
  return <EngineSession client={connection.client} key={connection.generation} />;
}

/** How often the lock state is re-read, so an idle auto-lock shows without waiting for a click. */
const LOCK_POLL_MS = 20_000;

function EngineSession({ client }: { client: ApiClient }) {
  const [locked, setLocked] = useState<boolean | null>(null);
  const api = useMemo(() => lockAwareClient(client, () => setLocked(true)), [client]);
  useEffect(() => {
    const check = () =>
      client.call('appLock.status', {}).then(
        (s) => setLocked(s.enabled && s.locked),
        () => setLocked((l) => l ?? false),
      );
    void check();
    const timer = setInterval(() => void check(), LOCK_POLL_MS);
    return () => clearInterval(timer);
  }, [client]);
  if (locked === null) return <ConnectionScreen connection={{ status: 'connecting' }} />;
  return (
    <ApiProvider value={api}>
      <LockContext.Provider value={() => setLocked(true)}>
        {locked ? <LockScreen onUnlocked={() => setLocked(false)} /> : <Shell />}
      </LockContext.Provider>
    </ApiProvider>
  );
}

function Shell() {
  const [screen, go] = useRoute();
  const [passage, setPassage] = useState<PassageRef | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'k') {
        e.preventDefault();
        go('search');
        // Already on search: focus its box again.
        document
          .querySelector<HTMLInputElement>('input[type="search"][aria-label="Search documents"]')
          ?.focus();
        return;
      }
      const target = SCREENS.find((s) => s.key === key);
      if (target) {
        e.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const View = SCREEN_VIEWS[screen];
  return (
    <PassageContext.Provider value={setPassage}>
      <div className="app">
        <Sidebar current={screen} onGo={go} />
        <main className="main">
          <View />
        </main>
      </div>
      {passage ? (
        <Drawer label="Passage in its document" onClose={() => setPassage(null)}>
          <DocumentViewer documentId={passage.documentId} chunkId={passage.chunkId ?? null} />
        </Drawer>
      ) : null}
    </PassageContext.Provider>
  );
}
