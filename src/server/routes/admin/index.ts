// The admin API (/api/admin/v1): one encapsulated scope, one bearer-token hook, and the list of its route modules.
// Another operation is one more module in `adminRoutes`.
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { isKusError, KusError } from '../../../errors/index.js';
import type { Counter } from 'prom-client';
import { authFailureGuard, type AuthFailureLimit } from '../../plugins/auth-failures.js';
import { bearerAuth } from '../../plugins/bearer-auth.js';
import { tokenScope } from '../../plugins/token-scope.js';
import { tooLargeError } from '../../plugins/too-large.js';
import { auditList } from './audit-list.js';
import { channelAddVersion } from './channel-add-version.js';
import { channelCreate } from './channel-create.js';
import { channelDelete } from './channel-delete.js';
import { channelList } from './channel-list.js';
import { channelRemoveVersion } from './channel-remove-version.js';
import { edgeBlock } from './edge-block.js';
import { edgeList } from './edge-list.js';
import { edgeRemove } from './edge-remove.js';
import { edgeRisk } from './edge-risk.js';
import { fleetClusters } from './fleet-clusters.js';
import { fleetAdoption } from './fleet-adoption.js';
import { fleetHistory } from './fleet-history.js';
import { fleetProblems } from './fleet-problems.js';
import { fleetReport } from './fleet-report.js';
import { fleetRelease } from './fleet-release.js';
import { fleetUpdates } from './fleet-updates.js';
import { fleetVersions } from './fleet-versions.js';
import { mirror } from './mirror.js';
import { policyList } from './policy-list.js';
import { policyRemove } from './policy-remove.js';
import { policySet } from './policy-set.js';
import { rawMetadataDelete } from './raw-metadata-delete.js';
import { channelCanaryAdd, channelCanaryList, channelCanaryRemove } from './channel-canaries.js';
import { rolloutAbort, rolloutComplete, rolloutPause, rolloutResume } from './rollout-action.js';
import { rolloutList } from './rollout-list.js';
import { rolloutStart } from './rollout-start.js';
import { rawMetadataSet } from './raw-metadata-set.js';
import { releaseAdd } from './release-add.js';
import { releaseIngest } from './release-ingest.js';
import { releaseList } from './release-list.js';
import { releaseRemove } from './release-remove.js';
import { releaseShow } from './release-show.js';
import { keyGenerate } from './key-generate.js';
import { keyImport } from './key-import.js';
import { keyList } from './key-list.js';
import { keySetActive } from './key-set-active.js';
import { keyShow } from './key-show.js';
import { releaseSign } from './release-sign.js';
import { signatureList } from './signature-list.js';
import { signatureUpload } from './signature-upload.js';
import { signatureVerify } from './signature-verify.js';
import { ADMIN_BODY_LIMIT, type AdminRoute, type AdminServices } from './route.js';
import { tokenCreate } from './token-create.js';
import { tokenList } from './token-list.js';
import { tokenRevoke } from './token-revoke.js';
import { tokenSelf } from './token-self.js';

export type { AdminRoute, AdminServices, IngestService } from './route.js';

export const ADMIN_PREFIX = '/api/admin/v1';

export const adminRoutes: readonly AdminRoute[] = [
  releaseAdd,
  releaseIngest,
  releaseList,
  releaseShow,
  releaseRemove,
  channelList,
  channelCreate,
  channelDelete,
  channelAddVersion,
  channelRemoveVersion,
  edgeList,
  edgeBlock,
  edgeRisk,
  edgeRemove,
  rawMetadataSet,
  rawMetadataDelete,
  auditList,
  tokenCreate,
  tokenList,
  tokenRevoke,
  tokenSelf,
  keyList,
  keyShow,
  keyImport,
  keyGenerate,
  keySetActive,
  releaseSign,
  signatureUpload,
  signatureList,
  signatureVerify,
  mirror,
  fleetVersions,
  fleetClusters,
  fleetUpdates,
  fleetProblems,
  fleetReport,
  fleetHistory,
  fleetAdoption,
  fleetRelease,
  rolloutList,
  rolloutStart,
  rolloutPause,
  rolloutResume,
  rolloutComplete,
  rolloutAbort,
  channelCanaryList,
  channelCanaryAdd,
  channelCanaryRemove,
  policyList,
  policySet,
  policyRemove,
];

/** "body/previous/0 must be string; body has an unknown property "channel"" rather than Ajv's terse default. */
function describeValidation(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const parts = errors.map((e) => {
    const where = `${dataVar}${e.instancePath}`;
    const extra = (e.params as { additionalProperty?: unknown }).additionalProperty;
    return typeof extra === 'string' ? `${where} has an unknown property ${JSON.stringify(extra)}` : `${where} ${e.message ?? 'is invalid'}`;
  });
  return new Error(parts.join('; '));
}

/** Limits of the admin scope (config/limits.ts) and where failed tokens are counted. */
export interface AdminOptions {
  mirrorBodyBytes: number;
  authFailures: AuthFailureLimit;
  authFailureCounter: Counter<'reason'>;
}

/** Registered with `{ prefix: ADMIN_PREFIX }`: the hook and the schema error texts apply to the admin routes only. */
export function adminApi(services: AdminServices, options: AdminOptions) {
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.decorateRequest('adminActor', null);
    scope.decorateRequest('adminScope', null);
    const guard = await authFailureGuard(scope, options.authFailures, options.authFailureCounter);
    scope.addHook('onRequest', bearerAuth(services.tokens, guard));
    // A write refused for its token's scope is audited like any refused write (a read is not: reads are not audited).
    scope.addHook('onRequest', tokenScope((request, error) => {
      const action = request.routeOptions.config.audit;
      if (!action || !request.adminActor) return;
      try {
        services.publisher.recordRefusal(request.adminActor, { action, target: request.url, request: null }, error);
      } catch (auditErr) {
        request.log.error({ err: auditErr, reqId: request.id, action }, 'could not audit a refused admin request');
      }
    }));
    scope.setSchemaErrorFormatter(describeValidation);
    // Admin JSON is small; a route that takes more says so with its own bodyLimit.
    scope.addHook('onRoute', (route) => {
      route.bodyLimit ??= ADMIN_BODY_LIMIT;
    });
    // The services audit what they refuse; a write refused before reaching them (bad JSON, schema) is audited here.
    // Requests without a valid token are not: anyone could fill the log with them.
    scope.addHook('onError', (request, _reply, error: FastifyError, done) => {
      const action = request.routeOptions.config.audit;
      const status = error.statusCode ?? 500;
      if (action && request.adminActor && !isKusError(error) && status >= 400 && status < 500) {
        // The body as parsed (null when it was refused unread, e.g. too large); recordRefusal keeps a bounded summary.
        const what = { action, target: request.url, request: request.body ?? null };
        try {
          services.publisher.recordRefusal(request.adminActor, what, tooLargeError(error, request) ?? new KusError('KUS_ERR_BAD_REQUEST', error.message));
        } catch (auditErr) {
          request.log.error({ err: auditErr, reqId: request.id, action }, 'could not audit a refused admin request');
        }
      }
      done();
    });
    for (const route of adminRoutes) route(scope, services, { mirrorBodyBytes: options.mirrorBodyBytes });
  };
}
