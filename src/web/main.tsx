// The console shell: navigation and the view named by the URL fragment. A new page (fleet, rollouts) is one more
// entry in VIEWS.
import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AdminPage } from './admin/admin-view.js';
import { AuditPage } from './audit/audit-view.js';
import { ClusterPage } from './cluster/cluster-view.js';
import { GraphPage } from './channel-graph/graph-view.js';
import { FleetPage } from './fleet/fleet-view.js';
import { PathPage } from './path/path-view.js';
import { ReleasePage } from './release/release-view.js';
import { currentRoute, href, type Route } from './router.js';
import './style.css';

interface ViewEntry {
  id: string;
  title: string;
  page: ComponentType<{ params: URLSearchParams }>;
}

const VIEWS: ViewEntry[] = [
  { id: 'graph', title: 'Graph', page: GraphPage },
  { id: 'release', title: 'Release', page: ReleasePage },
  { id: 'path', title: 'Path finder', page: PathPage },
  { id: 'cluster', title: 'What a cluster sees', page: ClusterPage },
  { id: 'fleet', title: 'Fleet', page: FleetPage },
  { id: 'admin', title: 'Admin', page: AdminPage },
  { id: 'audit', title: 'Audit', page: AuditPage },
];

function App() {
  const [route, setRoute] = useState<Route>(currentRoute());
  useEffect(() => {
    const onHash = (): void => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const view = VIEWS.find((v) => v.id === route.view);
  useEffect(() => { document.title = `${view?.title ?? 'Not found'} · Kylin Update Service`; }, [view]);
  const Page = view?.page;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <h1>Kylin Update Service</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.id}><a href={href(v.id)} aria-current={v.id === route.view ? 'page' : undefined}>{v.title}</a></li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {Page ? <Page key={route.view} params={route.params} /> : <p>There is no view “{route.view}”.</p>}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
