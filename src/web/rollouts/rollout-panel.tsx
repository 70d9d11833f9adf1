// The rollouts of one release, one per channel that has one: state, start, duration, start percentage and the share of
// clusters offered it as a progress bar; with an admin token, pause / resume / complete / abort through the admin API
// (complete and abort ask first: they reach everyone, or no one, at once). A viewer token sees the same without buttons.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { adminApi, session } from '../api.js';
import type { Rollout, RolloutAction } from '../api-types.js';
import { href } from '../router.js';
import { ErrorLine, Loading } from '../shared/components.js';
import { useAsync } from '../shared/use-async.js';
import { formatDuration, percent } from './fraction.js';

/** What each state allows (the server refuses the rest with KUS_ERR_CONFLICT). */
const ACTIONS: Record<Rollout['state'], RolloutAction[]> = {
  active: ['pause', 'complete', 'abort'],
  paused: ['resume', 'complete', 'abort'],
  completed: [],
  aborted: [],
};
const LABEL: Record<RolloutAction, string> = { pause: 'Pause', resume: 'Resume', complete: 'Complete', abort: 'Abort' };
const DONE: Record<RolloutAction, string> = { pause: 'Paused.', resume: 'Resumed.', complete: 'Completed.', abort: 'Aborted.' };
/** Only these ask first: pause and resume are undone by each other, these are not. */
const CONFIRM: Partial<Record<RolloutAction, (r: Rollout) => string>> = {
  complete: (r) => `Every cluster following ${r.channel} will be offered ${r.version} now, whatever its wariness.`,
  abort: (r) => `No cluster following ${r.channel} will be offered ${r.version} any more, canaries included (clusters already running it keep it).`,
};

/** A rollout's version has no build metadata; the release page's may. */
const sameRelease = (rolloutVersion: string, version: string): boolean => rolloutVersion === version || rolloutVersion === version.split('+')[0];

export function ReleaseRollouts({ version, arch }: { version: string; arch: string }) {
  const signedIn = session.token() !== null;
  const list = useAsync(signedIn ? () => adminApi.rollouts().then((a) => a.value.filter((r) => sameRelease(r.version, version))) : null, version);
  return (
    <section aria-label="Rollouts">
      <h3>Rollouts</h3>
      {!signedIn && <p>Sign in on the <a href={href('admin')}>Admin</a> page to see its phased rollouts.</p>}
      {list.state === 'loading' && <Loading what="the rollouts" />}
      {list.state === 'error' && <ErrorLine error={list.error} />}
      {list.state === 'done' && list.value.length === 0 && <p>No phased rollout: every cluster of its channels is offered it (<code>kus rollout start</code> starts one).</p>}
      {list.state === 'done' && list.value.map((r) => <RolloutCard key={r.channel} initial={r} arch={arch} admin={session.scope() === 'admin'} />)}
    </section>
  );
}

type Stage = { at: 'idle' } | { at: 'confirm'; action: RolloutAction } | { at: 'busy' } | { at: 'done'; message: string } | { at: 'refused'; error: Error };

function RolloutCard({ initial, arch, admin }: { initial: Rollout; arch: string; admin: boolean }) {
  const [rollout, setRollout] = useState(initial);
  const [stage, setStage] = useState<Stage>({ at: 'idle' });
  const confirmRef = useRef<HTMLDivElement>(null);
  // A layout effect: the question has the focus as soon as it is shown, not after the browser's next paint.
  useLayoutEffect(() => { if (stage.at === 'confirm') confirmRef.current?.focus(); }, [stage.at]);
  const run = async (action: RolloutAction): Promise<void> => {
    setStage({ at: 'busy' });
    try {
      const answer = await adminApi.rollout(rollout.channel, rollout.version, action);
      setRollout(answer.value);
      setStage({ at: 'done', message: answer.changed ? DONE[action] : `Nothing to change: already ${answer.value.state}.` });
    } catch (err) {
      setStage({ at: 'refused', error: err as Error });
    }
  };
  const r = rollout;
  const name = `Rollout of ${r.version} in ${r.channel}`;
  return (
    <article class={`rollout rollout-${r.state}`} aria-label={name}>
      <h4>In <a href={href('graph', { channel: r.channel, arch, node: r.version })}>{r.channel}</a>: <span class="rollout-state">{r.state}</span></h4>
      <dl class="facts">
        <dt>Start</dt><dd><time dateTime={r.start}>{r.start}</time></dd>
        <dt>Duration</dt><dd>{formatDuration(r.durationSeconds)}</dd>
        <dt>Start percentage</dt><dd>{r.startPercentage}%</dd>
        <dt>Offered to</dt><dd class="rollout-fraction">{percent(r.fraction)} of the clusters{r.state === 'paused' ? ' (paused)' : ''}</dd>
        {r.haltOnStalled != null && <><dt>Halts</dt><dd>when {r.haltOnStalled} stalled cluster{r.haltOnStalled === 1 ? '' : 's'} accumulate</dd></>}
      </dl>
      <ProgressBar fraction={r.fraction} label={`Share of ${r.channel} offered ${r.version}`} />
      {r.evidence !== undefined && <Evidence evidence={r.evidence} />}
      {admin && ACTIONS[r.state].length > 0 && (
        <p class="rollout-actions">
          {ACTIONS[r.state].map((action) => (
            <button key={action} type="button" disabled={stage.at === 'busy' || stage.at === 'confirm'}
              onClick={() => (CONFIRM[action] ? setStage({ at: 'confirm', action }) : void run(action))}>{LABEL[action]}</button>
          ))}
        </p>
      )}
      {stage.at === 'confirm' && (
        <div class="confirm" role="alertdialog" aria-label={`Confirm: ${LABEL[stage.action]} the rollout`} tabIndex={-1} ref={confirmRef}>
          <p>{CONFIRM[stage.action]!(r)}</p>
          <button type="button" onClick={() => void run(stage.action)}>Confirm</button>{' '}
          <button type="button" onClick={() => setStage({ at: 'idle' })}>Cancel</button>
        </div>
      )}
      {stage.at === 'busy' && <Loading what="the change" />}
      {stage.at === 'done' && <p class="ok" role="status">{stage.message}</p>}
      {stage.at === 'refused' && (
        <div class="refused" role="alert">
          <p>The server refused:</p>
          <ErrorLine error={stage.error} />
        </div>
      )}
    </article>
  );
}

export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const value = Math.round(1000 * fraction) / 10;
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={`${value}%`}>
      <div class="progress-fill" style={{ width: `${value}%` }} />
    </div>
  );
}

function Evidence({ evidence }: { evidence: Rollout['evidence'] }) {
  if (!evidence) return <p class="rollout-evidence">No evidence: this server records no fleet (<code>--no-fleet</code>).</p>;
  return (
    <div class="rollout-evidence">
      <p>
        Evidence: {evidence.eligible} eligible cluster{evidence.eligible === 1 ? '' : 's'}, {evidence.sawEdge} saw the update,{' '}
        {evidence.updated} updated, <span class={evidence.stalled > 0 ? 'warn' : undefined}>{evidence.stalled} stalled</span>.
      </p>
      {evidence.stalledIds.length > 0 && (
        <details>
          <summary>Stalled clusters{evidence.stalledIds.length < evidence.stalled ? ` (the first ${evidence.stalledIds.length})` : ''}</summary>
          <ul>{evidence.stalledIds.map((id) => <li key={id}><code>{id}</code></li>)}</ul>
        </details>
      )}
    </div>
  );
}
