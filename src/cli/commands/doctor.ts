// `kus doctor`: a cluster's ClusterVersion in; per target, whether the cluster will see it and whether its signatures
// verify with the keys its verifier ConfigMap trusts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KusError, quote } from '../../errors/index.js';
import { clusterVersionFacts, doctor, verifierKeys, type DoctorReport } from '../../services/cluster-doctor.js';
import { stringFlag, writeJson, type Command } from '../command.js';
import { explorerFlags, openExplorerSource } from '../explorer-source.js';
import { describeExplain } from './explain.js';

function readDoc(file: string, flag: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_NOT_FOUND', `${flag} ${quote(file)} cannot be read: ${(err as Error).message}`, { file });
  }
  try {
    return parse(text) as unknown; // YAML is a superset of JSON: oc's -o json and -o yaml both read
  } catch (err) {
    throw new KusError('KUS_ERR_BAD_REQUEST', `${flag} ${quote(file)} is neither JSON nor YAML: ${(err as Error).message}`, { file });
  }
}

function describe(r: DoctorReport): string {
  const lines = [`cluster ${r.cluster.id ?? '(no id)'} runs ${r.cluster.version || '(no version)'} on channel ${r.cluster.channel || '(none)'} (${r.cluster.arch})`];
  if (r.upstream) lines.push(`it polls ${r.upstream}`);
  lines.push(...describeExplain(r.explain).trimEnd().split('\n'));
  if (r.targets.length > 0) lines.push('', 'targets:');
  for (const t of r.targets) {
    const seen = t.offered === 'recommended' ? 'recommended' : `conditional (${t.risks.join(', ')})`;
    const sig = t.signatures === null
      ? 'signatures not checked (give --verifier-configmap)'
      : t.signatures.verifies
        ? `signatures verify (${t.signatures.keys.map((k) => `${k.name}: signature-${k.signature}`).join(', ')})`
        : `signatures DO NOT verify: ${t.signatures.keys.filter((k) => k.signature === null).map((k) => `${k.name}: ${k.reason}`).join('; ')}`;
    lines.push(`  ${t.version}  ${seen}  ${sig}`);
  }
  if (r.notOffered.length > 0) lines.push('', `the cluster lists ${r.notOffered.join(', ')}, which KUS does not offer it now (its status is older than the graph, or it polls another service)`);
  return `${lines.join('\n')}\n`;
}

export const command: Command = {
  path: ['doctor'],
  summary: 'check a cluster\'s ClusterVersion: which targets it will see and whether their signatures verify',
  description: [
    'Reads the output of "oc get clusterversion version -o json" (channel, cluster id, the version it reconciles,',
    'Multi architecture) and computes what the cluster-version operator will retrieve from KUS (like "kus explain").',
    'With --verifier-configmap (the cluster\'s release-verification ConfigMap, or the file "kus verifier-configmap"',
    'wrote), each target\'s signatures (from KUS\'s signature store, signature-1 to -9) are verified as the cluster',
    'does: every verifier-public-key-* entry needs a valid signature. Exits 0 when the cluster retrieves updates and',
    'every target verifies, 1 otherwise. --json prints the report.',
  ].join('\n'),
  flags: {
    clusterversion: { type: 'string', valueName: 'FILE', required: true, description: 'oc get clusterversion version -o json (JSON or YAML)' },
    'verifier-configmap': { type: 'string', valueName: 'FILE', description: 'the verifier ConfigMap the cluster trusts (JSON or YAML)' },
    arch: { type: 'string', valueName: 'X', description: 'the cluster\'s architecture when not Multi (default amd64)' },
    ...explorerFlags,
  },
  examples: [
    'oc get clusterversion version -o json > cv.json && kus doctor --clusterversion cv.json --server http://kus.example:8080',
    'kus doctor --clusterversion cv.json --verifier-configmap verifier.yaml --arch arm64',
  ],
  async run(ctx) {
    const cvFile = stringFlag(ctx.flags, 'clusterversion');
    if (cvFile === undefined) throw new KusError('KUS_ERR_USAGE', 'give --clusterversion FILE (see "kus doctor --help")');
    const facts = clusterVersionFacts(readDoc(cvFile, '--clusterversion'), stringFlag(ctx.flags, 'arch') ?? 'amd64');
    const verifierFile = stringFlag(ctx.flags, 'verifier-configmap');
    const keys = verifierFile === undefined ? null : verifierKeys(readDoc(verifierFile, '--verifier-configmap'));
    const source = openExplorerSource(ctx.flags);
    try {
      const report = await doctor(facts, keys, { explain: (c) => source.explain(c), signature: (d, i) => source.signature(d, i), now: new Date() });
      if (ctx.json) writeJson(ctx.stdout, report);
      else ctx.stdout.write(describe(report));
      return report.ok ? 0 : 1;
    } finally {
      source.close();
    }
  },
};
