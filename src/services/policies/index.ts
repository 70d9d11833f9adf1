// Public surface of the promotion policies: the rules (pure), the use case, and the timer of `kus serve`.
export { promotionCandidates, declaredAgainst, versionKey, type Candidate, type CandidateStatus, type DeclaredEdge, type DueInput } from './due.js';
export {
  PromotionPolicies, policyActor, DEFAULT_POLICY_RETRY_MS,
  type PoliciesDeps, type PolicyInput, type PolicyInfo, type PolicyStatus, type PolicyCandidate, type PromotionReport,
} from './policies.js';
export { PolicyRunner, DEFAULT_POLICY_INTERVAL_MS, type PolicyRunnerDeps } from './runner.js';
