// Adoption against the rollout's fraction, for each active or paused rollout: the share of the channel's recorded
// clusters running the release (GET /fleet/adoption) and the share the rollout offers it to (computed from start,
// start percentage, duration and state), over time since the start, drawn by uPlot like the fleet timeline; and the
// numbers now in text. Adoption lags the fraction by how long clusters take to update once offered.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { adminApi } from '../api.js';
import type { FleetAdoption, Rollout } from '../api-types.js';
import { href } from '../router.js';
import { fractionAt, percent } from '../rollouts/fraction.js';
import { ErrorLine, Loading } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';

const POINTS = 60;

export function RolloutAdoption() {
  const rollouts = useAsync(() => adminApi.rollouts().then((a) => a.value.filter((r) => r.state === 'active' || r.state === 'paused')), 'rollouts');
  return (
    <section aria-label="Rollouts">
      <h2>Rollouts: adoption against the fraction</h2>
      {rollouts.state === 'loading' && <Loading what="the rollouts" />}
      {rollouts.state === 'error' && <ErrorLine error={rollouts.error} />}
      {rollouts.state === 'done' && rollouts.value.length === 0 && <p>No active or paused rollout.</p>}
      {rollouts.state === 'done' && rollouts.value.map((r) => <OneRollout key={`${r.channel}\n${r.version}`} rollout={r} />)}
    </section>
  );
}

function OneRollout({ rollout }: { rollout: Rollout }) {
  const adoption = useAsync(() => adminApi.fleetAdoption(rollout.channel, rollout.version, rollout.start, POINTS).then((a) => a.value), 'adoption');
  const name = `${rollout.version} in ${rollout.channel}`;
  return (
    <article class="adoption" aria-label={`Adoption of ${name}`}>
      <h3><a href={href('release', { version: rollout.version })}>{rollout.version}</a> in {rollout.channel} <small>({rollout.state})</small></h3>
      {adoption.state === 'loading' && <Loading what="the adoption" />}
      {adoption.state === 'error' && <ErrorLine error={adoption.error} />}
      {adoption.state === 'done' && <Numbers rollout={rollout} adoption={adoption.value} />}
      {adoption.state === 'done' && <AdoptionChart rollout={rollout} adoption={adoption.value} />}
    </article>
  );
}

const share = (s: { clusters: number; running: number }): number | null => (s.clusters === 0 ? null : s.running / s.clusters);

function Numbers({ rollout, adoption }: { rollout: Rollout; adoption: FleetAdoption }) {
  const now = adoption.samples[adoption.samples.length - 1];
  const adopted = now ? share(now) : null;
  return (
    <p class="adoption-now">
      Now: offered to {percent(rollout.fraction)} of the clusters{rollout.state === 'paused' ? ' (paused)' : ''};{' '}
      {now && adopted !== null
        ? <>{now.running} of {now.clusters} recorded cluster{now.clusters === 1 ? '' : 's'} on {rollout.channel} run it ({percent(adopted)}).</>
        : <>no cluster on {rollout.channel} recorded yet.</>}
    </p>
  );
}

function AdoptionChart({ rollout, adoption }: { rollout: Rollout; adoption: FleetAdoption }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const times = adoption.samples.map((s) => Date.parse(s.at));
    const plot = new uPlot({
      width: Math.max(480, Math.min(1000, box.current.clientWidth || 800)),
      height: 260,
      scales: { x: { time: true }, y: { range: [0, 100] } },
      axes: [{}, { label: '% of clusters' }],
      series: [
        { label: 'time' },
        { label: 'rollout fraction', stroke: '#1f5fbf', width: 2, value: (_u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) },
        { label: 'adoption', stroke: '#1e7a34', width: 2, fill: '#1e7a3433', value: (_u, v) => (v === null ? '–' : `${v.toFixed(1)}%`) },
      ],
    }, [
      times.map((t) => t / 1000),
      times.map((t) => 100 * fractionAt(rollout, t)),
      adoption.samples.map((s) => { const a = share(s); return a === null ? null : 100 * a; }),
    ], box.current);
    return () => plot.destroy();
  }, [rollout, adoption]);
  return (
    <div class="fleet-chart adoption-chart" ref={box} role="img"
      aria-label={`Share of ${rollout.channel} offered ${rollout.version} (the rollout's fraction) and share running it, since ${rollout.start}`} />
  );
}
