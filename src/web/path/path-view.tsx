// The path finder: shortest update paths from A to B in a channel, recommended-only and with conditional hops
// (each marked with its risks), and when there is none, why (the server's answer, also at /api/kus/v1/path).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import type { PathAnswer, PathHop } from '../api-types.js';
import { href, navigate } from '../router.js';
import { ChannelPicker, ErrorLine, Loading, useChannels } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';

export function PathPage({ params }: { params: URLSearchParams }) {
  const channels = useChannels();
  const asked = { from: params.get('from') ?? '', to: params.get('to') ?? '', channel: params.get('channel') ?? '', arch: params.get('arch') ?? 'amd64' };
  const [draft, setDraft] = useState(asked);
  const ready = asked.from !== '' && asked.to !== '' && asked.channel !== '';
  const answer = useAsync(ready ? () => api.path(asked) : null, JSON.stringify(asked));
  const field = (name: 'from' | 'to', label: string) => (
    <>
      <label for={`path-${name}`}>{label}</label>
      <input id={`path-${name}`} name={name} required value={draft[name]} onInput={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).value })} />
    </>
  );
  return (
    <div>
      <form class="toolbar" aria-label="Find a path" onSubmit={(e) => { e.preventDefault(); navigate('path', draft); }}>
        {field('from', 'From version')}
        {field('to', 'To version')}
        {channels.state === 'done' && (
          <ChannelPicker idPrefix="path" channels={channels.value} channel={draft.channel} arch={draft.arch}
            onChange={(channel, arch) => setDraft({ ...draft, channel, arch })} />
        )}
        <button type="submit">Find path</button>
      </form>
      {answer.state === 'loading' && <Loading what="paths" />}
      {answer.state === 'error' && <ErrorLine error={answer.error} />}
      {answer.state === 'done' && <Answer answer={answer.value} />}
    </div>
  );
}

function Hops({ path, arch, channel }: { path: PathHop[]; arch: string; channel: string }) {
  return (
    <ol class="hops">
      {path.map((h) => (
        <li key={`${h.from}>${h.to}`} class={h.risks.length ? 'conditional' : 'plain'}>
          <a href={href('release', { version: h.from, arch })}>{h.from}</a> →{' '}
          <a href={href('release', { version: h.to, arch })}>{h.to}</a>
          {h.risks.length > 0 && <> <a class="risk-names" href={href('graph', { channel, arch, edge: `${h.from} → ${h.to}` })}>conditional: {h.risks.join(', ')}</a></>}
        </li>
      ))}
    </ol>
  );
}

function Answer({ answer }: { answer: PathAnswer }) {
  const { channel, arch } = answer;
  return (
    <div class="path-answer" aria-live="polite">
      <h2>{answer.from} → {answer.to} in {channel} ({arch})</h2>
      <section aria-label="Recommended paths">
        <h3>Recommended only</h3>
        {answer.recommended.length === 0 ? <p>None.</p> : answer.recommended.map((p, i) => (
          <div key={i}><p>{p.length} {p.length === 1 ? 'hop' : 'hops'}</p><Hops path={p} arch={arch} channel={channel} /></div>
        ))}
      </section>
      <section aria-label="Paths with conditional updates">
        <h3>With conditional updates</h3>
        {answer.withConditional.length === 0 ? <p>None.</p> : answer.withConditional.map((p, i) => (
          <div key={i}><p>{p.length} {p.length === 1 ? 'hop' : 'hops'}</p><Hops path={p} arch={arch} channel={channel} /></div>
        ))}
      </section>
      {answer.problems.length > 0 && (
        <section aria-label="Why not">
          <h3>Why there is no recommended path</h3>
          <ul class="problems">
            {answer.problems.map((p, i) => (
              <li key={i} class={`problem ${p.code}`}>{p.message}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
