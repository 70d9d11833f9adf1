// The graph of one channel and arch: a layered drawing (newest on top) of the served nodes, recommended edges,
// conditional edges with their risk names, and blocked edges with their declaring file; zoom, pan, search, and
// the edges of the selected node highlighted. State (channel, arch, selection) lives in the URL.
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ChannelSummary, EdgeDeclarations, ServedGraph } from '../api-types.js';
import { href, navigate } from '../router.js';
import { ChannelPicker, ErrorLine, Loading, RiskDetails, useChannels } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';
import { layoutGraph, NODE_H, NODE_W, type Layout, type PlacedEdge } from './layout.js';
import { attachPanZoom, centerOn, fit, pan, zoom, type View } from './pan-zoom.js';

export function GraphPage({ params }: { params: URLSearchParams }) {
  const channels = useChannels();
  const list = channels.state === 'done' ? channels.value : null;
  // A link names channel and arch: the graph is fetched at once, beside the channel list (not after it).
  const channel = params.get('channel') ?? list?.[0]?.channel;
  const arch = params.get('arch') ?? list?.find((c) => c.channel === channel)?.arches[0] ?? (list ? 'amd64' : undefined);
  if (channels.state === 'error') return <ErrorLine error={channels.error} />;
  if (list?.length === 0) return <p>No channel lists any release yet.</p>;
  if (channel === undefined || arch === undefined) return <Loading what="channels" />;
  return <GraphOf channels={list} channel={channel} arch={arch} node={params.get('node')} edge={params.get('edge')} />;
}

interface Props {
  /** Null while the list is loading. */
  channels: ChannelSummary[] | null;
  channel: string;
  arch: string;
  node: string | null;
  edge: string | null;
}

function GraphOf(props: Props) {
  const { channel, arch } = props;
  const data = useAsync(() => Promise.all([api.graph(channel, arch), api.blockedEdges()]), `${channel}\n${arch}`);
  const go = (p: Partial<Record<'channel' | 'arch' | 'node' | 'edge', string | undefined>>): void =>
    navigate('graph', { channel, arch, node: props.node ?? undefined, edge: props.edge ?? undefined, ...p });
  return (
    <div class="graph-page">
      <div class="toolbar" role="toolbar" aria-label="Graph controls">
        {props.channels && (
          <ChannelPicker idPrefix="graph" channels={props.channels} channel={channel} arch={arch}
            onChange={(c, a) => navigate('graph', { channel: c, arch: a })} />
        )}
      </div>
      {data.state === 'error' && <ErrorLine error={data.error} />}
      {data.state === 'loading' && <Loading what={`the graph of ${channel} (${arch})`} />}
      {data.state === 'done' && <Drawing graph={data.value[0]} declarations={data.value[1]} {...props} go={go} />}
    </div>
  );
}

function Drawing(props: Props & { graph: ServedGraph; declarations: EdgeDeclarations; go: (p: Record<string, string | undefined>) => void }) {
  const { graph, arch, channel, go } = props;
  const layout: Layout = useMemo(() => layoutGraph(graph, arch, props.declarations.blocked), [graph, arch, props.declarations]);
  const selected = props.node !== null ? layout.nodes.find((n) => n.version === props.node) ?? null : null;
  const selectedEdge = props.edge !== null ? layout.edges.find((e) => edgeName(layout, e) === props.edge) ?? null : null;
  const svgRef = useRef<SVGSVGElement>(null);
  // Pan and zoom change only the viewBox attribute: re-rendering thousands of edges per wheel step would lag.
  const viewRef = useRef<View>({ x: 0, y: 0, w: layout.width, h: layout.height });
  const setView = (v: View): void => {
    viewRef.current = v;
    svgRef.current?.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
  };
  const [search, setSearch] = useState('');
  const [searchError, setSearchError] = useState('');

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const r = svg.getBoundingClientRect();
    const start = fit(layout.width, layout.height, r.width || 800, r.height || 600);
    setView(selected ? centerOn(start, selected.x, selected.y) : start);
    svg.dataset.ready = 'true';
    return attachPanZoom(svg, () => viewRef.current, setView);
  }, [layout]);

  // Stable handlers, so the memoised drawing is not re-rendered because of them.
  const latest = useRef({ go, node: props.node, layout });
  latest.current = { go, node: props.node, layout };
  const onNode = useMemo(() => (version: string): void => {
    const l = latest.current;
    l.go({ node: l.node === version ? undefined : version, edge: undefined });
  }, []);
  const onEdge = useMemo(() => (e: PlacedEdge): void => latest.current.go({ edge: edgeName(latest.current.layout, e) }), []);

  const find = (e: Event): void => {
    e.preventDefault();
    const term = search.trim();
    const hit = layout.nodes.find((n) => n.version === term) ?? layout.nodes.find((n) => n.version.includes(term));
    if (!term || !hit) {
      setSearchError(term ? `${term} is not in ${channel} (${arch})` : '');
      return;
    }
    setSearchError('');
    setView(centerOn(viewRef.current, hit.x, hit.y));
    go({ node: hit.version, edge: undefined });
  };

  const conditional = layout.edges.filter((e) => e.kind === 'conditional');
  const blocked = layout.edges.filter((e) => e.kind === 'blocked');
  const onKey = (e: KeyboardEvent): void => {
    const v = viewRef.current;
    const step = v.w / 10;
    const moves: Record<string, () => View> = {
      '+': () => zoom(v, 1 / 1.25), '=': () => zoom(v, 1 / 1.25), '-': () => zoom(v, 1.25),
      ArrowLeft: () => pan(v, -step, 0), ArrowRight: () => pan(v, step, 0), ArrowUp: () => pan(v, 0, -step), ArrowDown: () => pan(v, 0, step),
    };
    const move = e.target === svgRef.current ? moves[e.key] : undefined;
    if (move) { e.preventDefault(); setView(move()); }
  };

  return (
    <div class="graph-layout">
      <div class="graph-main">
        <form class="search" role="search" onSubmit={find}>
          <label for="graph-search">Find version</label>
          <input id="graph-search" value={search} list="graph-versions" onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
          <datalist id="graph-versions">{layout.nodes.map((n) => <option key={n.version} value={n.version} />)}</datalist>
          <button type="submit">Find</button>
          <button type="button" aria-label="Zoom in" onClick={() => setView(zoom(viewRef.current, 1 / 1.25))}>+</button>
          <button type="button" aria-label="Zoom out" onClick={() => setView(zoom(viewRef.current, 1.25))}>−</button>
          <button type="button" onClick={() => {
            const r = svgRef.current!.getBoundingClientRect();
            setView(fit(layout.width, layout.height, r.width, r.height));
          }}>Fit</button>
          <span class="counts">{graph.nodes.length} releases · {graph.edges.length} edges · {conditional.length} conditional · {blocked.length} blocked</span>
        </form>
        {searchError && <p class="error" role="alert">{searchError}</p>}
        <svg ref={svgRef} class={`graph${selected ? ' has-selection' : ''}`} role="img" tabIndex={0} onKeyDown={onKey}
          aria-label={`Update graph of ${channel} (${arch}): ${graph.nodes.length} releases, newest on top. Arrow keys pan, + and - zoom.`}
          viewBox={`0 0 ${layout.width} ${layout.height}`}>
          <GraphContent layout={layout} selected={selected?.index ?? -1} chosen={selectedEdge?.id ?? ''} onNode={onNode} onEdge={onEdge} />
        </svg>
        <p class="legend" aria-label="Legend">
          <span class="key plain">recommended</span> <span class="key conditional">conditional (risk named on the edge)</span>{' '}
          <span class="key blocked">blocked (declaring file named)</span>
        </p>
      </div>
      <aside class="details" aria-label="Details">
        {selectedEdge ? <EdgeDetails layout={layout} edge={selectedEdge} arch={arch} /> : selected ? (
          <NodeDetails layout={layout} index={selected.index} graph={graph} channel={channel} arch={arch} go={go} />
        ) : (
          <p>Select a release (click it, or find it by version) to highlight its updates.</p>
        )}
        {conditional.length > 0 && (
          <>
            <h3>Conditional updates ({conditional.length})</h3>
            {groupBy(conditional, (e) => e.risks.map((r) => r.name).join(', ')).map(([risks, edges]) => (
              <EdgeGroup key={risks} title={risks} titleClass="risk-names" edges={edges} layout={layout} channel={channel} arch={arch} />
            ))}
          </>
        )}
        {blocked.length > 0 && (
          <>
            <h3>Blocked updates ({blocked.length})</h3>
            {groupBy(blocked, (e) => `blocked-edges/${e.file}`).map(([file, edges]) => (
              <EdgeGroup key={file} title={file} titleClass="blocked-file" edges={edges} layout={layout} channel={channel} arch={arch} />
            ))}
          </>
        )}
      </aside>
    </div>
  );
}

const pathCache = new WeakMap<Layout, Map<string, string>>();
function kindPaths(layout: Layout, kind: PlacedEdge['kind']): string {
  let byKind = pathCache.get(layout);
  if (!byKind) pathCache.set(layout, (byKind = new Map()));
  let d = byKind.get(kind);
  if (d === undefined) byKind.set(kind, (d = layout.edges.filter((e) => e.kind === kind).map((e) => e.path).join(' ')));
  return d;
}

/** Above this many risky or blocked edges, labels are drawn only on the selection's edges (the list names them all). */
const LABEL_LIMIT = 60;
function labelled(layout: Layout): Array<PlacedEdge & { labelAlways: boolean }> {
  const few = layout.edges.filter((e) => e.kind !== 'plain').length <= LABEL_LIMIT;
  return layout.edges.map((e) => ({ ...e, labelAlways: few }));
}

function groupBy<T>(items: T[], key: (item: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups];
}

/** One risk (or blocking file) and its edges; the list is rendered only once opened, as a channel may have thousands. */
function EdgeGroup(props: { title: string; titleClass: string; edges: PlacedEdge[]; layout: Layout; channel: string; arch: string }) {
  const { edges, layout, channel, arch } = props;
  const [open, setOpen] = useState(edges.length <= 5);
  return (
    <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary><span class={props.titleClass}>{props.title}</span> ({edges.length})</summary>
      {open && (
        <ul class="edge-list">
          {edges.map((e) => (
            <li key={e.id}><a href={href('graph', { channel, arch, edge: edgeName(layout, e) })}>{edgeName(layout, e)}</a></li>
          ))}
        </ul>
      )}
    </details>
  );
}

const edgeName = (layout: Layout, e: PlacedEdge): string => `${layout.nodes[e.from]!.version} → ${layout.nodes[e.to]!.version}`;

function edgeTitle(layout: Layout, e: PlacedEdge): string {
  if (e.kind === 'blocked') return `${edgeName(layout, e)}: blocked by blocked-edges/${e.file}`;
  if (e.kind === 'conditional') return `${edgeName(layout, e)}: conditional (${e.risks.map((r) => r.name).join(', ')})`;
  return edgeName(layout, e);
}

/**
 * The drawing itself, re-rendered only when the layout or the selection changes (not on typing or panning).
 * Plain edges carry no arrowhead or tooltip unless lit.
 */
const GraphContent = memo(function GraphContent(props: {
  layout: Layout;
  selected: number;
  chosen: string;
  onNode: (version: string) => void;
  onEdge: (e: PlacedEdge) => void;
}) {
  const { layout, selected, chosen } = props;
  const touching = (e: PlacedEdge): boolean => selected >= 0 && (e.from === selected || e.to === selected);
  const neighbours = new Set<number>();
  if (selected >= 0) for (const e of layout.edges) if (touching(e)) { neighbours.add(e.from); neighbours.add(e.to); }
  return (
    <>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
      </defs>
      {/* Each kind of edge in one path element: thousands of elements would dominate render and paint time. */}
      <path class="edge plain" d={kindPaths(layout, 'plain')} />
      <path class="edge conditional" d={kindPaths(layout, 'conditional')} />
      <path class="edge blocked" d={kindPaths(layout, 'blocked')} />
      <g class="edges">
        {layout.edges.filter((e) => touching(e) || chosen === e.id).map((e) => (
          <path key={e.id} d={e.path} class={`edge ${e.kind}${touching(e) ? ' lit' : ''}${chosen === e.id ? ' chosen' : ''}`} marker-end="url(#arrow)">
            <title>{edgeTitle(layout, e)}</title>
          </path>
        ))}
      </g>
      <g class="nodes">
        {layout.nodes.map((n) => (
          <g key={n.version} class={`node${selected === n.index ? ' selected' : ''}${neighbours.has(n.index) ? ' lit' : ''}`}
            transform={`translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`} tabIndex={-1} role="button" aria-label={`release ${n.version}`}
            onClick={() => props.onNode(n.version)}>
            <rect width={NODE_W} height={NODE_H} rx="5" />
            <text x={NODE_W / 2} y={NODE_H / 2 + 4}>{n.version}</text>
          </g>
        ))}
      </g>
      {/* Labels last, over the nodes, so a risk name or a file name is never hidden. */}
      <g class="edge-labels">
        {labelled(layout).filter((e) => e.kind !== 'plain' && (e.labelAlways || touching(e) || chosen === e.id)).map((e) => (
          <text key={e.id} x={e.mid.x} y={e.mid.y} class={`edge-label ${e.kind}${touching(e) ? ' lit' : ''}`} onClick={() => props.onEdge(e)}>
            {e.kind === 'blocked' ? `blocked: ${e.file}` : e.risks.map((r) => r.name).join(', ')}
          </text>
        ))}
      </g>
    </>
  );
});

function EdgeDetails({ layout, edge, arch }: { layout: Layout; edge: PlacedEdge; arch: string }) {
  const from = layout.nodes[edge.from]!.version;
  const to = layout.nodes[edge.to]!.version;
  return (
    <div>
      <h3>{from} → {to}</h3>
      {edge.kind === 'plain' && <p>A recommended update.</p>}
      {edge.kind === 'blocked' && <p class="blocked-by">Blocked by <code>blocked-edges/{edge.file}</code>: clusters on {from} are not offered {to}.</p>}
      {edge.kind === 'conditional' && (
        <>
          <p>A conditional update: the cluster evaluates these risks before recommending it.</p>
          {edge.risks.map((r) => <RiskDetails key={r.name} risk={r} />)}
        </>
      )}
      <p><a href={href('release', { version: to, arch })}>Release page of {to}</a></p>
    </div>
  );
}

function NodeDetails(props: { layout: Layout; index: number; graph: ServedGraph; channel: string; arch: string; go: (p: Record<string, string | undefined>) => void }) {
  const { layout, index, graph, channel, arch } = props;
  const node = graph.nodes[index]!;
  const outgoing = layout.edges.filter((e) => e.from === index);
  const incoming = layout.edges.filter((e) => e.to === index);
  const line = (e: PlacedEdge, other: number) => (
    <li key={e.id} class={e.kind}>
      <a href={href('graph', { channel, arch, node: layout.nodes[other]!.version })}>{layout.nodes[other]!.version}</a>
      {e.kind === 'conditional' && <> <a href={href('graph', { channel, arch, edge: edgeName(layout, e) })} class="risk-names">risks: {e.risks.map((r) => r.name).join(', ')}</a></>}
      {e.kind === 'blocked' && <> blocked by <code>blocked-edges/{e.file}</code></>}
    </li>
  );
  return (
    <div>
      <h3>{node.version}</h3>
      <p class="payload"><code>{node.payload}</code></p>
      <p><a href={href('release', { version: node.version, arch })}>Release page</a> ·{' '}
        <a href={href('cluster', { version: node.version, channel, arch })}>What a cluster on it sees</a></p>
      <h4>Updates to ({outgoing.length})</h4>
      <ul class="edge-list">{outgoing.map((e) => line(e, e.to))}</ul>
      <h4>Updates from ({incoming.length})</h4>
      <ul class="edge-list">{incoming.map((e) => line(e, e.from))}</ul>
    </div>
  );
}
