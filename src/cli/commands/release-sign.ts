// `kus release sign`: sign a release's payload digest with every active key, as the next free signature-N.
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { passphraseFlag, withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['release', 'sign'],
  summary: 'sign a release (VERSION: every architecture; VERSION+ARCH: one) with every active key',
  description: [
    'Builds the simple-signing claim clusters check (critical.type "atomic container signature", the payload',
    'digest, the payload repository as docker-reference, optional.creator "Kylin Update Service <version>" and',
    'optional.timestamp), signs it as a binary OpenPGP signed message with every active key KUS holds the private',
    'key of, and stores each as the next free signature-N of the digest. Existing signatures are never',
    'overwritten, and a key that already signed the digest is not used again. Clusters fetch them from',
    '<server>/api/upgrades_info/signatures/sha256=<hex>/signature-N (kus serve), and read signature-1..9 only.',
    '',
    'Locally the private keys are unlocked with KUS_SIGNING_PASSPHRASE or --passphrase-file; with --server the',
    'server signs with its own passphrase. A running server serves signatures from the store at once (they are',
    'read per request), whichever way they were made.',
  ].join('\n'),
  positionals: [{ name: 'VERSION', required: true, description: 'VERSION or VERSION+ARCH (e.g. 4.9.15 or 4.9.15+arm64)' }],
  flags: { ...passphraseFlag, ...targetFlags },
  examples: [
    'KUS_SIGNING_PASSPHRASE=... kus release sign 4.9.15+arm64',
    'kus release sign 4.9.15 --server https://kus.example --token "$KUS_TOKEN"',
  ],
  async run(ctx) {
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.signRelease(ctx.positionals[0]!), (list) => list.map((r) => {
        const lines = [`${r.version} ${r.digest}`];
        for (const s of r.signatures) lines.push(`  signature-${s.index}: ${s.key ?? s.fingerprint ?? 'unknown signer'}${s.added ? ' (new)' : ''}`);
        return `${lines.join('\n')}\n`;
      }).join(''));
    });
  },
};
