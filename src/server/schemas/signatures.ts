// JSON schemas of the signing admin routes: keys, signatures, sign results and verification reports.

const stringList = { type: 'array', items: { type: 'string' } } as const;
const nullableString = { type: 'string', nullable: true } as const;

export const digestSchema = {
  type: 'string',
  minLength: 71,
  maxLength: 71,
  pattern: '^sha256:[0-9a-f]{64}$',
  description: 'A release payload digest.',
  example: 'sha256:296be28e6051ed6f8e11695893ba9fdf7622359ada2355658dc4e0b0294fd0f2',
} as const;

export const keyNameSchema = { type: 'string', minLength: 1, maxLength: 63, example: 'kylin-2026' } as const;

export const keySchema = {
  type: 'object',
  required: ['name', 'fingerprint', 'userIds', 'algorithm', 'createdAt', 'expiresAt', 'active', 'canSign', 'addedAt'],
  properties: {
    name: { type: 'string' },
    fingerprint: { type: 'string', description: '40 uppercase hex digits.' },
    userIds: stringList,
    algorithm: { type: 'string', example: 'rsa4096' },
    createdAt: { type: 'string', description: 'Key creation time (ISO 8601).' },
    expiresAt: { ...nullableString, description: 'Null when the key never expires.' },
    active: { type: 'boolean', description: 'Signs new releases and goes into the verifier ConfigMap.' },
    canSign: { type: 'boolean', description: 'KUS holds the private key (false: public-only, signatures must be uploaded).' },
    addedAt: { type: 'string' },
  },
} as const;

export const keyWithPublicSchema = {
  type: 'object',
  required: [...keySchema.required, 'publicKey'],
  properties: { ...keySchema.properties, publicKey: { type: 'string', description: 'Armored OpenPGP public key.' } },
} as const;

export const signatureInfoSchema = {
  type: 'object',
  required: ['digest', 'index', 'key', 'fingerprint', 'source', 'createdAt', 'size'],
  properties: {
    digest: { type: 'string' },
    index: { type: 'integer', minimum: 1, description: 'N of signature-N.' },
    key: { ...nullableString, description: 'The stored key that made it; null when its signer is not a stored key.' },
    fingerprint: nullableString,
    source: { type: 'string', enum: ['signed', 'uploaded', 'imported'] },
    createdAt: { type: 'string' },
    size: { type: 'integer' },
    data: { type: 'string', description: 'Base64 of the signature bytes (with ?data=true).' },
  },
} as const;

export const signedReleaseSchema = {
  type: 'object',
  required: ['version', 'arch', 'payload', 'digest', 'signatures'],
  properties: {
    version: { type: 'string', description: 'version+arch.' },
    arch: nullableString,
    payload: { type: 'string' },
    digest: { type: 'string' },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'key', 'fingerprint', 'added'],
        properties: { index: { type: 'integer' }, key: nullableString, fingerprint: nullableString, added: { type: 'boolean', description: 'Made by this call.' } },
      },
    },
  },
} as const;

export const digestStatusSchema = {
  type: 'object',
  required: ['digest', 'signed', 'keys', 'signatures'],
  properties: {
    digest: { type: 'string' },
    signed: { type: 'boolean', description: 'Every active key made a valid signature (what the generated verifier ConfigMap requires).' },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'fingerprint', 'signature'],
        properties: { name: { type: 'string' }, fingerprint: { type: 'string' }, signature: { type: 'integer', nullable: true } },
      },
    },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'valid', 'key', 'reason'],
        properties: { index: { type: 'integer' }, valid: { type: 'boolean' }, key: nullableString, reason: nullableString },
      },
    },
  },
} as const;

const targetSchema = {
  type: 'object',
  required: ['version', 'payload', 'digest', 'conditional', 'signed', 'missing'],
  properties: {
    version: { type: 'string' },
    payload: { type: 'string' },
    digest: nullableString,
    conditional: { type: 'boolean', description: 'Reached only through conditional (risk) edges.' },
    signed: { type: 'boolean' },
    missing: { ...stringList, description: 'Active keys without a valid signature for it.' },
  },
} as const;

export const verifyReportSchema = {
  type: 'object',
  required: ['activeKeys', 'unsigned', 'ok'],
  properties: {
    version: { type: 'string' },
    activeKeys: stringList,
    releases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['version', 'arch', 'payload', 'status'],
        properties: { version: { type: 'string' }, arch: nullableString, payload: { type: 'string' }, status: digestStatusSchema },
      },
    },
    channels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['channel', 'arch'],
        properties: {
          channel: { type: 'string' },
          arch: { type: 'string' },
          from: { type: 'string' },
          targets: { type: 'array', items: targetSchema },
          nodes: { type: 'array', items: targetSchema },
        },
      },
    },
    unsigned: { ...stringList, description: 'version+arch of every release or target not signed by every active key.' },
    ok: { type: 'boolean' },
  },
} as const;
