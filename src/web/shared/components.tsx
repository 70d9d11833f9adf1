// Small pieces every view uses: the channel/arch picker, risk details, error and loading lines.
import { api, ApiError } from '../api.js';
import type { ChannelSummary, Risk } from '../api-types.js';
import { useAsync } from './use-async.js';

export function ErrorLine({ error }: { error: Error }) {
  const code = error instanceof ApiError ? `${error.code}: ` : '';
  return <p class="error" role="alert">{code}{error.message}</p>;
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" aria-live="polite">Loading {what}…</p>;
}

export function useChannels() {
  return useAsync(() => api.channels(), 'channels');
}

/** Channel and arch selects listing what the server serves. */
export function ChannelPicker(props: {
  channels: ChannelSummary[];
  channel: string;
  arch: string;
  onChange: (channel: string, arch: string) => void;
  idPrefix: string;
}) {
  const { channels, channel, arch, onChange, idPrefix } = props;
  const arches = channels.find((c) => c.channel === channel)?.arches ?? [];
  return (
    <span class="picker">
      <label for={`${idPrefix}-channel`}>Channel</label>
      <select id={`${idPrefix}-channel`} value={channel} onChange={(e) => {
        const next = (e.currentTarget as HTMLSelectElement).value;
        const nextArches = channels.find((c) => c.channel === next)?.arches ?? [];
        onChange(next, nextArches.includes(arch) ? arch : (nextArches[0] ?? arch));
      }}>
        {channel === '' && <option value="">(choose)</option>}
        {channels.map((c) => <option key={c.channel} value={c.channel}>{c.channel}</option>)}
      </select>
      <label for={`${idPrefix}-arch`}>Architecture</label>
      <select id={`${idPrefix}-arch`} value={arch} onChange={(e) => onChange(channel, (e.currentTarget as HTMLSelectElement).value)}>
        {(arches.length ? arches : [arch]).map((a) => <option key={a} value={a}>{a}</option>)}
      </select>
    </span>
  );
}

export function RiskDetails({ risk }: { risk: Risk }) {
  return (
    <div class="risk">
      <h4 class="risk-name">{risk.name}</h4>
      <p>{risk.message}</p>
      <p><a href={risk.url} rel="noreferrer noopener" target="_blank">{risk.url}</a></p>
      <ul class="rules" aria-label={`Matching rules of ${risk.name}`}>
        {risk.matchingRules.map((rule, i) => (
          <li key={i}>
            {rule.type}
            {rule.promql && <pre><code>{rule.promql.promql}</code></pre>}
          </li>
        ))}
      </ul>
    </div>
  );
}
