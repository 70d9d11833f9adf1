// `kus signature upload`: store a signature made elsewhere, only if a trusted key made it for that digest.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../../errors/index.js';
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { withSigningTarget } from '../signing-target.js';

export const command: Command = {
  path: ['signature', 'upload'],
  summary: 'upload a signature made elsewhere (e.g. gpg --sign on an offline host)',
  description: [
    'Accepts FILE as the next free signature-N of DIGEST only if it is a binary OpenPGP signed message (gpg --sign,',
    'not --armor, --clearsign or --detach-sign) made by a stored key (kus key list; import an offline signer\'s public',
    'key with kus key import) that has not expired, and its simple-signing claim names DIGEST with no field the',
    'cluster rejects. Otherwise it is refused with the reason (KUS_ERR_INVALID_SIGNATURE) and nothing is stored.',
    '',
    'The claim to sign offline is what kus release sign builds, e.g.',
    '  {"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":"sha256:<hex>"},',
    '   "identity":{"docker-reference":"registry.example/kylin/release"}},"optional":{"creator":"..."}}',
    'and then: gpg --local-user FINGERPRINT --output signature-1 --sign claim.json',
  ].join('\n'),
  positionals: [
    { name: 'DIGEST', required: true, description: 'sha256:<64 hex>, the payload digest the signature is for' },
    { name: 'FILE', required: true, description: 'the signature file' },
  ],
  flags: { ...targetFlags },
  examples: ['kus signature upload sha256:3f1c…9a signature-1', 'kus signature upload "$DIGEST" sig.gpg --server https://kus.example --token "$KUS_TOKEN"'],
  async run(ctx) {
    const [digest, file] = ctx.positionals as [string, string];
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new KusError('KUS_ERR_IO', `cannot read the signature file ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
    }
    await withSigningTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.uploadSignature(digest, bytes), (s) =>
        `stored ${file} as ${s.digest.replace(':', '=')}/signature-${s.index} (signed by ${s.key ?? s.fingerprint}) in ${target.where}\n`);
    });
  },
};
