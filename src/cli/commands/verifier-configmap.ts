// `kus verifier-configmap`: the ConfigMap a custom release payload carries so its clusters trust KUS's keys and store.
import { KusError } from '../../errors/index.js';
import {
  DEFAULT_STORE_NAME, DEFAULT_VERIFIER_NAME, renderManifests, signatureStoresPatch, storeUrlProblem, verifierConfigMap,
} from '../../signatures/index.js';
import { stringFlag, targetFlags, writeJson, type Command } from '../command.js';
import { withSigningTarget } from '../signing-target.js';

const WHERE_IT_GOES = [
  'Where it goes: the cluster-version operator takes its verifier from the running release payload: the first',
  'ConfigMap carrying the annotation release.openshift.io/verification-config-map among the manifests it reads',
  '(its own /manifests, then release-manifests/, each in file-name order). Ship this file in the payload\'s',
  'release-manifests/ (an operator image\'s /manifests directory that "oc adm release new" collects, e.g. as',
  '0000_90_kus_release-verification.yaml) and make sure no other manifest with that annotation comes first (replace',
  'Red Hat\'s). The verifier of the *running* release checks the next one: a cluster trusts these keys only after it',
  'runs a payload that carries this ConfigMap (the first such update needs --force, or the signature ConfigMaps).',
  'Validate it with: cvo-probe verifier-configmap FILE.',
].join('\n');

export const command: Command = {
  path: ['verifier-configmap'],
  summary: 'print the verifier ConfigMap for a custom release payload (every active key, KUS as the store)',
  description: [
    'Prints a ConfigMap openshift-config-managed/release-verification (--name) with the annotation',
    'release.openshift.io/verification-config-map, the include.release.openshift.io annotations for the',
    'self-managed-high-availability and single-node-developer profiles, one verifier-public-key-<key name> entry per',
    'active key (a cluster then requires a signature by each; "kus release sign" makes them) and',
    'store-<store name> = --store-url, normally https://<kus>/api/upgrades_info/signatures.',
    '',
    WHERE_IT_GOES,
    '',
    'With --signature-stores-patch, prints instead the ClusterVersion patch that adds the store to',
    'spec.signatureStores (oc patch clusterversion version --type merge -p "$(kus verifier-configmap ...)"). That',
    'field exists from OpenShift 4.15 and only with the SignatureStores feature gate (TechPreviewNoUpgrade,',
    'DevPreviewNoUpgrade or CustomNoUpgrade); when set, the payload\'s default stores are no longer consulted.',
  ].join('\n'),
  flags: {
    'store-url': { type: 'string', valueName: 'URL', required: true, description: 'the signature store URL clusters use: http(s)://<kus>/api/upgrades_info/signatures' },
    name: { type: 'string', valueName: 'NAME', default: DEFAULT_VERIFIER_NAME, description: 'ConfigMap name' },
    'store-name': { type: 'string', valueName: 'NAME', default: DEFAULT_STORE_NAME, description: 'the store entry is store-NAME' },
    'signature-stores-patch': { type: 'boolean', description: 'print the spec.signatureStores patch (JSON) instead of the ConfigMap' },
    ...targetFlags,
  },
  examples: [
    'kus verifier-configmap --store-url https://kus.kylin.example/api/upgrades_info/signatures > release-manifests/0000_90_kus_release-verification.yaml',
    'oc patch clusterversion version --type merge -p "$(kus verifier-configmap --store-url https://kus.kylin.example/api/upgrades_info/signatures --signature-stores-patch)"',
  ],
  async run(ctx) {
    const storeUrl = stringFlag(ctx.flags, 'store-url')!;
    if (ctx.flags['signature-stores-patch'] === true) {
      const problem = storeUrlProblem(storeUrl);
      if (problem || !/^https?:/i.test(storeUrl.trim())) {
        throw new KusError('KUS_ERR_USAGE', problem ?? `spec.signatureStores accepts http and https URLs only; got ${JSON.stringify(storeUrl)}`);
      }
      writeJson(ctx.stdout, signatureStoresPatch(storeUrl));
      ctx.stderr.write('spec.signatureStores needs OpenShift 4.15+ with the SignatureStores feature gate; once set, the payload\'s default stores are not consulted\n');
      return;
    }
    await withSigningTarget(ctx, { create: false }, async (target) => {
      const keys = (await target.listKeys()).value.filter((k) => k.active);
      const withPublic = await Promise.all(keys.map(async (k) => (await target.getKey(k.name)).value));
      const map = verifierConfigMap({
        name: stringFlag(ctx.flags, 'name')!,
        storeName: stringFlag(ctx.flags, 'store-name')!,
        storeUrl,
        keys: withPublic.map((k) => ({ name: k.name, publicKey: k.publicKey })),
      });
      if (ctx.json) writeJson(ctx.stdout, map);
      else ctx.stdout.write(renderManifests([map]));
      ctx.stderr.write(`${WHERE_IT_GOES}\n`);
    });
  },
};
