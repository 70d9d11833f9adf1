// Public surface of src/signatures: OpenPGP keys, signing and verification, claims, store layouts, ConfigMaps.
export {
  DIGEST_ALGORITHM, digestHex, requireDigest, digestFromHex, isDigestHex, signatureFileName, signatureIndex,
  storeSegment, configMapPrefix, parseStoreRequest, type StoreRequest,
} from './digest.js';
export { CLAIM_TYPE, claimText, checkClaim, type ClaimInput, type ClaimFields, type ClaimCheck } from './claim.js';
export {
  KEY_BITS, CLUSTER_KEY_LIMITS, keyNameProblem, requireKeyName, keyProblems, readKeyFile, describePublicKey,
  generateSigningKey, protectPrivateKey, unlockPrivateKey, type KeyBits, type KeyFacts, type ParsedKey, type GeneratedKey,
} from './keys.js';
export { signContent } from './sign.js';
export { KeyRing, type TrustedKey, type Verification } from './verify.js';
export {
  SIGNATURE_NAMESPACE, SIGNATURE_LABEL, VERIFIER_ANNOTATION, VERIFIER_PROFILES, DEFAULT_VERIFIER_NAME, DEFAULT_STORE_NAME,
  signatureConfigMap, verifierConfigMap, renderManifests, signatureStoresPatch, storeUrlProblem, type ConfigMap, type VerifierInput,
} from './configmaps.js';
export {
  SIGNATURES_DIR, KEYS_DIR, MAX_SIGNATURE_BYTES, readSignatureTree, writeSignatureTree, writePublicKeyFile, signatureTreeExists,
  signatureDirectory, type SignatureTreeSource, type SignatureFile, type TreeProblem, type TreeLayout,
} from './tree.js';
export { signDetached, verifyDetached, type DetachedVerification } from './detached.js';
