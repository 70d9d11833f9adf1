// One release: payload and digest, the channels that list it with its edges in and out (conditional ones with
// their risks), metadata, and which active keys signed it (verified by the server), with the signature ConfigMap.
import { useState } from 'preact/hooks';
import { adminApi, api, session } from '../api.js';
import type { ReleaseEdge, ReleaseView } from '../api-types.js';
import { href, navigate } from '../router.js';
import { ReleaseRollouts } from '../rollouts/rollout-panel.js';
import { ErrorLine, Loading, RiskDetails } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';

export function ReleasePage({ params }: { params: URLSearchParams }) {
  const version = params.get('version') ?? '';
  const arch = params.get('arch') ?? 'amd64';
  const [draft, setDraft] = useState({ version, arch });
  const release = useAsync(version ? () => api.release(version, arch) : null, `${version}\n${arch}`);
  return (
    <div>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); navigate('release', draft); }}>
        <label for="release-version">Version</label>
        <input id="release-version" value={draft.version} required onInput={(e) => setDraft({ ...draft, version: (e.currentTarget as HTMLInputElement).value })} />
        <label for="release-arch">Architecture</label>
        <input id="release-arch" value={draft.arch} required onInput={(e) => setDraft({ ...draft, arch: (e.currentTarget as HTMLInputElement).value })} />
        <button type="submit">Show</button>
      </form>
      {!version && <p>Give a version, or select a release in the graph.</p>}
      {release.state === 'loading' && <Loading what={version} />}
      {release.state === 'error' && <ErrorLine error={release.error} />}
      {release.state === 'done' && <Release release={release.value} />}
    </div>
  );
}

function Edges({ title, edges, arch, channel }: { title: string; edges: ReleaseEdge[]; arch: string; channel: string }) {
  return (
    <>
      <h4>{title} ({edges.length})</h4>
      <ul class="edge-list">
        {edges.map((e) => (
          <li key={e.version} class={e.risks.length ? 'conditional' : 'plain'}>
            <a href={href('release', { version: e.version, arch })}>{e.version}</a>
            {e.risks.length > 0 && (
              <details>
                <summary>conditional: {e.risks.map((r) => r.name).join(', ')}</summary>
                {e.risks.map((r) => <RiskDetails key={r.name} risk={r} />)}
              </details>
            )}
            {' '}<a class="aside-link" href={href('graph', { channel, arch, node: e.version })}>in graph</a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** How many recorded clusters run this release and how many updated to it (needs a signed-in admin token). */
function FleetCounts({ version, arch }: { version: string; arch: string }) {
  const signedIn = session.token() !== null;
  const counts = useAsync(signedIn ? () => adminApi.fleetRelease(version, arch).then((a) => a.value) : null, `${version}\n${arch}`);
  return (
    <section aria-label="Fleet">
      <h3>Fleet</h3>
      {!signedIn && <p>Sign in on the <a href={href('admin')}>Admin</a> page to see how many clusters run it.</p>}
      {counts.state === 'error' && <ErrorLine error={counts.error} />}
      {counts.state === 'done' && (
        <p class="fleet-counts">{counts.value.running} cluster{counts.value.running === 1 ? '' : 's'} run it; {counts.value.updatedTo} updated to it.</p>
      )}
    </section>
  );
}

function Release({ release }: { release: ReleaseView }) {
  const s = release.signatures;
  return (
    <article class="release" aria-label={`Release ${release.version}`}>
      <h2>{release.version} <small>{release.arch}</small></h2>
      <dl class="facts">
        <dt>Payload</dt><dd><code>{release.payload}</code></dd>
        <dt>Digest</dt><dd><code>{release.digest ?? '(not by digest)'}</code></dd>
        <dt>Channels</dt><dd>{release.channels.map((c) => c.channel).join(', ')}</dd>
      </dl>
      <FleetCounts version={release.version} arch={release.arch} />
      <ReleaseRollouts version={release.version} arch={release.arch} />
      <section aria-label="Signatures">
        <h3>Signatures</h3>
        {s === null && <p>This server keeps no signatures.</p>}
        {s !== null && (
          <>
            <p class={s.signed ? 'ok' : 'warn'}>{s.signed ? 'Signed by every active key.' : 'Not signed by every active key: clusters that trust them will refuse it.'}</p>
            <table>
              <caption>Active keys</caption>
              <thead><tr><th scope="col">Key</th><th scope="col">Fingerprint</th><th scope="col">Valid signature</th></tr></thead>
              <tbody>
                {s.keys.map((k) => (
                  <tr key={k.fingerprint}><td>{k.name}</td><td><code>{k.fingerprint}</code></td><td>{k.signature === null ? 'none' : `signature-${k.signature}`}</td></tr>
                ))}
              </tbody>
            </table>
            {s.signatures.length > 0 && release.digest && (
              <p><a href={api.signatureConfigMapUrl(release.digest)} download>Download the signature ConfigMap</a> (for <code>oc apply -f</code>)</p>
            )}
          </>
        )}
      </section>
      {release.channels.map((c) => (
        <section key={c.channel} aria-label={`Edges in ${c.channel}`}>
          <h3>In <a href={href('graph', { channel: c.channel, arch: release.arch, node: release.version })}>{c.channel}</a></h3>
          <Edges title="Updates from" edges={c.incoming} arch={release.arch} channel={c.channel} />
          <Edges title="Updates to" edges={c.outgoing} arch={release.arch} channel={c.channel} />
        </section>
      ))}
      <section aria-label="Metadata">
        <h3>Metadata</h3>
        <dl class="facts">
          {Object.entries(release.metadata).map(([k, v]) => <><dt key={`k${k}`}>{k}</dt><dd key={`v${k}`}><code>{v}</code></dd></>)}
        </dl>
      </section>
    </article>
  );
}
