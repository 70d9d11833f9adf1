// GET /audit: the audit log, newest first: every write and every refused write.
import { AUDIT_LIMIT } from '../../../services/publisher.js';
import { auditEntrySchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const auditList: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { limit?: number } }>('/audit', {
    schema: adminSchema({
      operationId: 'listAudit',
      summary: 'Read the audit log (newest first)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: AUDIT_LIMIT.max, default: AUDIT_LIMIT.default } },
      },
      value: { type: 'array', items: auditEntrySchema },
      ok: 'Audit entries, newest first.',
    }),
  }, (request) => readAnswer(services.publisher.auditLog(request.query.limit === undefined ? {} : { limit: request.query.limit })));
};
