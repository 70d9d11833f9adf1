// What a cluster sees: a version, channel, arch (and cluster id) in; the updates, conditional updates with their
// risks, or the condition the cluster-version operator would set, computed by the server from the served bytes.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ExplainAnswer } from '../api-types.js';
import { href, navigate } from '../router.js';
import { ChannelPicker, ErrorLine, Loading, RiskDetails, useChannels } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';

export function ClusterPage({ params }: { params: URLSearchParams }) {
  const channels = useChannels();
  const asked = { version: params.get('version') ?? '', channel: params.get('channel') ?? '', arch: params.get('arch') ?? 'amd64', id: params.get('id') ?? '' };
  const [draft, setDraft] = useState(asked);
  const ready = asked.version !== '' && asked.channel !== '';
  const answer = useAsync(ready ? () => api.explain({ ...asked, ...(asked.id ? { id: asked.id } : { id: undefined }) }) : null, JSON.stringify(asked));
  return (
    <div>
      <form class="toolbar" aria-label="Describe the cluster" onSubmit={(e) => { e.preventDefault(); navigate('cluster', draft); }}>
        <label for="cluster-version">Running version</label>
        <input id="cluster-version" required value={draft.version} onInput={(e) => setDraft({ ...draft, version: (e.currentTarget as HTMLInputElement).value })} />
        {channels.state === 'done' && (
          <ChannelPicker idPrefix="cluster" channels={channels.value} channel={draft.channel} arch={draft.arch}
            onChange={(channel, arch) => setDraft({ ...draft, channel, arch })} />
        )}
        <label for="cluster-id">Cluster id (optional)</label>
        <input id="cluster-id" value={draft.id} size={36} onInput={(e) => setDraft({ ...draft, id: (e.currentTarget as HTMLInputElement).value })} />
        <button type="submit">Explain</button>
      </form>
      {answer.state === 'loading' && <Loading what="the cluster's view" />}
      {answer.state === 'error' && <ErrorLine error={answer.error} />}
      {answer.state === 'done' && <Explain answer={answer.value} />}
    </div>
  );
}

function Explain({ answer }: { answer: ExplainAnswer }) {
  const { arch, channel } = answer.cluster;
  const cond = answer.retrievedUpdates;
  return (
    <div aria-live="polite">
      <p class={`condition ${cond.status === 'True' ? 'ok' : 'warn'}`}>
        RetrievedUpdates={cond.status} <strong class="reason">{cond.reason}</strong>{cond.message && `: ${cond.message}`}
      </p>
      {answer.hints.map((h) => <p key={h} class="hint">{h}</p>)}
      {answer.query && <p>The cluster asks: <code>/graph?{answer.query}</code></p>}
      {cond.status === 'True' && (
        <>
          <h3>Recommended updates ({answer.updates.length})</h3>
          <ul class="edge-list">
            {answer.updates.map((u) => <li key={u.version}><a href={href('release', { version: u.version, arch })}>{u.version}</a></li>)}
          </ul>
          <h3>Conditional updates ({answer.conditionalUpdates.length})</h3>
          <ul class="edge-list">
            {answer.conditionalUpdates.map((u) => (
              <li key={u.version} class="conditional">
                <a href={href('release', { version: u.version, arch })}>{u.version}</a>{' '}
                <a href={href('graph', { channel, arch, edge: `${answer.cluster.version} → ${u.version}` })}>in graph</a>
                {u.risks.map((r) => <RiskDetails key={r.name} risk={r} />)}
              </li>
            ))}
          </ul>
        </>
      )}
      {answer.warnings.map((w) => <p key={w} class="warn">{w}</p>)}
    </div>
  );
}
