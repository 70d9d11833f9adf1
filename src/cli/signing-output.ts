// Human output of the signing commands: a key's facts, signature lists, verification reports.
import type { KeyInfo } from '../services/keys.js';
import type { ChannelReport, ReleaseReport, SignatureInfo, TargetStatus } from '../services/signing.js';
import { formatTable } from './output.js';

/** A few lines about one key. */
export function describeKey(k: KeyInfo): string {
  return [
    `  fingerprint: ${k.fingerprint}`,
    `  user IDs:    ${k.userIds.join(', ') || '-'}`,
    `  algorithm:   ${k.algorithm}`,
    `  expires:     ${k.expiresAt ?? 'never'}`,
    `  active:      ${k.active ? 'yes' : 'no'}${k.canSign ? '' : ' (public only: KUS cannot sign with it)'}`,
    '',
  ].join('\n');
}

export function signatureTable(list: readonly SignatureInfo[]): string {
  if (list.length === 0) return 'no signatures\n';
  return formatTable(['DIGEST', 'FILE', 'KEY', 'SOURCE', 'SIZE', 'CREATED'],
    list.map((s) => [s.digest, `signature-${s.index}`, s.key ?? (s.fingerprint ? s.fingerprint : 'unknown signer'), s.source, String(s.size), s.createdAt]));
}

const mark = (t: Pick<TargetStatus, 'signed' | 'missing'>): string => (t.signed ? 'signed' : `UNSIGNED${t.missing.length > 0 ? ` (missing: ${t.missing.join(', ')})` : ''}`);

export function releaseReportText(r: ReleaseReport): string {
  const lines = [`active keys: ${r.activeKeys.length > 0 ? r.activeKeys.join(', ') : 'none (kus key generate)'}`];
  for (const rel of r.releases) {
    const missing = rel.status.keys.filter((k) => k.signature === null).map((k) => k.name);
    lines.push(`${rel.version} ${rel.status.digest}: ${mark({ signed: rel.status.signed, missing })}`);
    for (const s of rel.status.signatures) {
      lines.push(`  signature-${s.index}: ${s.valid ? `valid, by ${s.key}` : `INVALID${s.key ? ` (by ${s.key})` : ''}: ${s.reason}`}`);
    }
  }
  for (const c of r.channels) {
    lines.push(`channel ${c.channel} (${c.arch}), from ${c.from}: ${c.targets.length} reachable ${c.targets.length === 1 ? 'target' : 'targets'}`);
    for (const t of c.targets) lines.push(`  ${t.version}${t.conditional ? ' (conditional)' : ''} ${t.digest ?? t.payload}: ${mark(t)}`);
  }
  if (r.channels.length === 0) lines.push('no channel lists it: nothing is reachable yet');
  lines.push(r.ok ? 'OK: everything is signed by every active key' : `NOT OK: ${r.unsigned.length} unsigned: ${r.unsigned.join(', ') || '(no active key)'}`);
  return `${lines.join('\n')}\n`;
}

export function channelReportText(r: ChannelReport): string {
  const lines = [`active keys: ${r.activeKeys.length > 0 ? r.activeKeys.join(', ') : 'none (kus key generate)'}`];
  for (const c of r.channels) {
    lines.push(`channel ${c.channel} (${c.arch}):`);
    for (const n of c.nodes) lines.push(`  ${n.version} ${n.digest ?? n.payload}: ${mark(n)}`);
  }
  lines.push(r.ok ? 'OK: everything is signed by every active key' : `NOT OK: ${r.unsigned.length} unsigned: ${r.unsigned.join(', ') || '(no active key)'}`);
  return `${lines.join('\n')}\n`;
}
