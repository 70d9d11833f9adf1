// Metadata keys of the io.openshift.upgrades.graph namespace and the ones clusters read.
const PREFIX = 'io.openshift.upgrades.graph';

export const KEY = {
  previousAdd: `${PREFIX}.previous.add`,
  previousRemove: `${PREFIX}.previous.remove`,
  previousRemoveRegex: `${PREFIX}.previous.remove_regex`,
  nextAdd: `${PREFIX}.next.add`,
  nextRemove: `${PREFIX}.next.remove`,
  releaseRemove: `${PREFIX}.release.remove`,
  channels: `${PREFIX}.release.channels`,
  arch: `${PREFIX}.release.arch`,
  manifestref: `${PREFIX}.release.manifestref`,
  payloadArchitecture: 'release.openshift.io/architecture',
  url: 'url',
} as const;
