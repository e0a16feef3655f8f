import { useEffect, useState, type ComponentType } from 'react';
import { DevicePage } from './device/DevicePage';
import { DiagnosticsPage } from './diagnostics/DiagnosticsPage';
import { FormatsPage } from './explorer/FormatsPage';
import { LabPage } from './lab/LabPage';

/** The app's pages, each a tab; the open one lives in the URL as ?view=. The first is the default. */
const VIEWS = [
  { id: 'lab', label: 'Lab', Page: LabPage },
  { id: 'formats', label: 'Formats', Page: FormatsPage },
  { id: 'device', label: 'Device', Page: DevicePage },
  { id: 'diagnostics', label: 'Diagnostics', Page: DiagnosticsPage },
] as const satisfies readonly { id: string; label: string; Page: ComponentType }[];
type ViewId = (typeof VIEWS)[number]['id'];

function viewFromUrl(): ViewId {
  const v = new URLSearchParams(window.location.search).get('view');
  return VIEWS.find((x) => x.id === v)?.id ?? VIEWS[0].id;
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
      <main>{VIEWS.map(({ id, Page }) => id === view && <Page key={id} />)}</main>
    </div>
  );
}
