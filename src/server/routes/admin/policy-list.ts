// GET /policies: every promotion policy, with what it does with each version of its source now.
import { policyStatusSchema } from '../../schemas/policies.js';
import { policiesOf } from './policy-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const policyList: AdminRoute = (scope, services) => {
  scope.get('/policies', {
    schema: adminSchema({
      operationId: 'listPolicies',
      summary: 'List promotion policies and their candidates',
      value: { type: 'array', items: policyStatusSchema },
      ok: 'By target, then source.',
    }),
  }, () => readAnswer(policiesOf(services).list()));
};
