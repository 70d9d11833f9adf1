// Image architectures as Go (GOARCH) names: what clusters request and what `oc adm release new` writes.
const ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  aarch64: 'arm64',
  armv8: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  armv7l: 'arm',
  armv7: 'arm',
  armv6l: 'arm',
  i386: '386',
  i486: '386',
  i586: '386',
  i686: '386',
  x86: '386',
  ppc64el: 'ppc64le',
  powerpc64le: 'ppc64le',
  riscv64gc: 'riscv64',
};

/** The Go name of an image config's `architecture` (already-Go names pass through, lower-cased). */
export function goArch(architecture: string): string {
  const a = architecture.trim().toLowerCase();
  return ALIASES[a] ?? a;
}
