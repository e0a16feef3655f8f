import { useEffect, useState } from 'react';

/** The app's pages, each a tab; the open one lives in the URL as ?view=. */
const VIEWS = [{ id: 'formats', label: 'Formats' }] as const;
type ViewId = (typeof VIEWS)[number]['id'];

function viewFromUrl(): ViewId {
  const v = new URLSearchParams(window.location.search).get('view');
  return VIEWS.find((x) => x.id === v)?.id ?? 'formats';
}

export function App() {
  const [view, setView] = useState<ViewId>(viewFromUrl);
  useEffect(() => {
    const onPop = () => setView(viewFromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const open = (id: ViewId) => {
    const url = new URL(window.location.href);
    url.searchParams.set('view', id);
    window.history.pushState(null, '', url);
    setView(id);
  };
  return (
    <div className="app">
      <header className="app-header">
        <h1>Precision Lab</h1>
        <nav aria-label="Pages">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              className={v.id === view ? 'tab active' : 'tab'}
              aria-current={v.id === view ? 'page' : undefined}
              onClick={() => open(v.id)}
            >
              {v.label}
            </button>
          ))}
        </nav>
      </header>
      <main>{view === 'formats' && <p>Format explorer</p>}</main>
    </div>
  );
}
