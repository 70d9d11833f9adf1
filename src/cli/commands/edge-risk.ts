// `kus edge risk`: declare a risk on the updates from some versions to one version (conditional edges).
import { KusError } from '../../errors/index.js';
import type { MatchingRule } from '../../graph/index.js';
import { listFlag, stringFlag, targetFlags, type Command } from '../command.js';
import { EDGE_SOURCE_NOTE, edgeSelector, edgeSourceFlags } from '../edge-source.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['edge', 'risk'],
  summary: 'declare a risk on the updates from some versions to one version',
  description: [
    'Serves the matching edges as conditional edges carrying a risk (url, name, message, matching rules). Each',
    'cluster evaluates the rules: while a rule says the risk applies, "oc adm upgrade" lists the update as not',
    'recommended with the message; otherwise it is offered as usual. Rules: --promql QUERY (the cluster runs it',
    'against its own monitoring; 1 = exposed, 0 = not exposed), and --always (the risk always applies). PromQL',
    'rules come first, in the order given; --always is added after them, so it decides when no PromQL rule can',
    'be evaluated. At least one rule is required.',
    '',
    'Clusters reject the whole graph over one bad risk, so an empty name or message, a url that is not an',
    'absolute URI or an empty PromQL query is refused here (KUS_ERR_INVALID_RISK) and nothing is written.',
    '',
    EDGE_SOURCE_NOTE,
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  flags: {
    ...edgeSourceFlags,
    url: { type: 'string', valueName: 'URL', required: true, description: 'link to a page that explains the risk' },
    name: { type: 'string', valueName: 'NAME', required: true, description: 'name of the risk, conventionally CamelCase, e.g. InsightsOperatorDegraded' },
    message: { type: 'string', valueName: 'TEXT', required: true, description: 'what the cluster administrator reads' },
    promql: { type: 'string', valueName: 'QUERY', multiple: true, description: 'PromQL matching rule' },
    always: { type: 'boolean', description: 'an Always matching rule (after the PromQL rules)' },
    ...targetFlags,
  },
  examples: [
    'kus edge risk --to 4.9.21-kylinsec.1 --from-version 4.9.15 --name EtcdDefragRequired \\\n' +
      '    --url https://docs.kylinsec.example/risks/etcd-defrag --message "Defragment etcd before updating." --always',
    "kus edge risk --to 4.9.21-kylinsec.1 --from '^4[.]9[.]15.*$' --name InsightsDisconnected --url https://… \\\n" +
      "    --message '…' --promql 'max(cluster_operator_conditions{name=\"insights\",condition=\"Disabled\"} == 0) or 0 * group(cluster_version)'",
  ],
  async run(ctx) {
    const edge = edgeSelector(ctx.flags, 'edge risk');
    const matchingRules: MatchingRule[] = listFlag(ctx.flags, 'promql').map((promql) => ({ type: 'PromQL', promql: { promql } }));
    if (ctx.flags.always === true) matchingRules.push({ type: 'Always' });
    if (matchingRules.length === 0) {
      throw new KusError('KUS_ERR_USAGE', 'give at least one matching rule: --promql QUERY or --always (see "kus edge risk --help")');
    }
    const risk = {
      ...edge,
      url: stringFlag(ctx.flags, 'url')!,
      name: stringFlag(ctx.flags, 'name')!,
      message: stringFlag(ctx.flags, 'message')!,
      matchingRules,
    };
    await withTarget(ctx, { create: true }, async (target) => {
      emit(ctx, await target.addRisk(risk), (doc) =>
        `declared risk ${doc.risk.name} on ${doc.from} -> ${doc.to} (${doc.file}) in ${target.where}\n`,
      );
    });
  },
};
