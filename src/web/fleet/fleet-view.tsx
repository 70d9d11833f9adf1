// The fleet: each active or paused rollout's adoption against its fraction, clusters per version over the last 30 days,
// today's distribution per channel, and the clusters that get no update with what to do about each. Read from the admin
// API's /fleet/* and /rollouts routes (sign in first).
import { useState } from 'preact/hooks';
import { adminApi, session } from '../api.js';
import type { FleetHistory, FleetProblem, FleetVersionsEntry } from '../api-types.js';
import { SignIn } from '../admin/admin-view.js';
import { href } from '../router.js';
import { ErrorLine, Loading } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';
import { RolloutAdoption } from './adoption-chart.js';
import { StackedTimeline } from './fleet-chart.js';

export function FleetPage() {
  const [signedIn, setSignedIn] = useState(session.token() !== null);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return <Fleet />;
}

function Fleet() {
  const history = useAsync(() => adminApi.fleetHistory(30).then((a) => a.value), 'history');
  const versions = useAsync(() => adminApi.fleetVersions().then((a) => a.value), 'versions');
  const problems = useAsync(() => adminApi.fleetProblems().then((a) => a.value), 'problems');
  return (
    <div class="fleet">
      <RolloutAdoption />
      <section aria-label="Clusters per version">
        <h2>Clusters per version, last 30 days</h2>
        {history.state === 'loading' && <Loading what="the fleet history" />}
        {history.state === 'error' && <ErrorLine error={history.error} />}
        {history.state === 'done' && <History history={history.value} />}
      </section>
      <section aria-label="Distribution per channel">
        <h2>Now, per channel</h2>
        {versions.state === 'loading' && <Loading what="the distribution" />}
        {versions.state === 'error' && <ErrorLine error={versions.error} />}
        {versions.state === 'done' && <Distribution rows={versions.value} />}
      </section>
      <section aria-label="Problems">
        <h2>Clusters that get no update</h2>
        {problems.state === 'loading' && <Loading what="the problems" />}
        {problems.state === 'error' && <ErrorLine error={problems.error} />}
        {problems.state === 'done' && <Problems rows={problems.value} />}
      </section>
    </div>
  );
}

function History({ history }: { history: FleetHistory }) {
  if (history.series.length === 0) return <p>No cluster has polled in the last {history.days.length} days.</p>;
  return (
    <>
      <StackedTimeline history={history} />
      <details>
        <summary>As a table</summary>
        <table class="fleet-history">
          <thead><tr><th scope="col">Day</th>{history.series.map((s) => <th key={s.version} scope="col">{s.version}</th>)}</tr></thead>
          <tbody>
            {history.days.map((d, i) => (
              <tr key={d}><th scope="row">{d}</th>{history.series.map((s) => <td key={s.version}>{s.clusters[i]}</td>)}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

function Distribution({ rows }: { rows: FleetVersionsEntry[] }) {
  if (rows.length === 0) return <p>No cluster recorded.</p>;
  const channels = [...new Set(rows.map((r) => r.channel))];
  return (
    <>
      {channels.map((channel) => {
        const own = rows.filter((r) => r.channel === channel);
        const total = own.reduce((n, r) => n + r.clusters, 0);
        return (
          <table key={channel} class="fleet-distribution" aria-label={`Clusters polling ${channel}`}>
            <caption>{channel}: {total} cluster{total === 1 ? '' : 's'}</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Arch</th><th scope="col">Clusters</th><th scope="col">Share</th></tr></thead>
            <tbody>
              {own.map((r) => (
                <tr key={`${r.arch}\n${r.version}`}>
                  <td>{r.version === null ? '(none)' : <a href={href('release', { version: r.version, arch: r.arch })}>{r.version}</a>}</td>
                  <td>{r.arch}</td>
                  <td>{r.clusters}</td>
                  <td>{((100 * r.clusters) / total).toFixed(1)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </>
  );
}

const WHAT: Record<FleetProblem['reason'], string> = {
  VersionNotFound: 'Its version is not in the channel it polls: add the version to the channel, or tell the cluster to change channel.',
  ChannelNotFound: 'The channel it polls does not exist: create it, or tell the cluster to change channel.',
  ArchNotServed: 'The channel has no release of its architecture: add releases of that architecture to the channel.',
  Unseen: 'It polled daily and has stopped: check that it is up and still reaches this server.',
};

function Problems({ rows }: { rows: FleetProblem[] }) {
  if (rows.length === 0) return <p class="ok">None: every recorded cluster polls a channel that lists its version.</p>;
  const reasons = [...new Set(rows.map((r) => r.reason))];
  return (
    <>
      <ul class="fleet-reasons">
        {reasons.map((reason) => <li key={reason}><strong>{reason}</strong> ({rows.filter((r) => r.reason === reason).length}): {WHAT[reason]}</li>)}
      </ul>
      <table class="fleet-problems">
        <thead>
          <tr><th scope="col">Cluster</th><th scope="col">Reason</th><th scope="col">Version</th><th scope="col">Channel</th><th scope="col">Arch</th><th scope="col">Last seen</th><th scope="col">What to do</th></tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td><code>{r.id}</code></td><td>{r.reason}</td><td>{r.version ?? '(none)'}</td><td>{r.channel}</td><td>{r.arch}</td><td>{r.lastSeen}</td><td>{r.hint}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
