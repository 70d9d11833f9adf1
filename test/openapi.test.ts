// /openapi.json checked as an OpenAPI 3.0 document by a structural validator (no extra dependency): version, info,
// unique operationIds, documented responses, resolvable $refs, security on admin operations, path parameters declared.
import t from 'tap';
import { ADMIN, adminApp } from './helpers/admin-app.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem found, as "where: what"; empty for a valid document. */
export function openApiProblems(doc: Json): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string): void => void problems.push(`${where}: ${what}`);
  if (!isObject(doc)) return ['document: not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi)) problem('openapi', `must be 3.0.x, is ${JSON.stringify(doc.openapi)}`);
  const info = doc.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') problem('info', 'needs title and version strings');
  if (!isObject(doc.paths)) return [...problems, 'paths: missing'];

  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || !['apiKey', 'http', 'oauth2', 'openIdConnect'].includes(String(scheme.type))) problem(`securitySchemes.${name}`, 'bad type');
    if (isObject(scheme) && scheme.type === 'http' && typeof scheme.scheme !== 'string') problem(`securitySchemes.${name}`, 'http needs scheme');
  }

  const operationIds = new Map<string, string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith('/')) problem(p, 'path must start with /');
    if (!isObject(item)) { problem(p, 'path item is not an object'); continue; }
    const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${p}`;
      if (!METHODS.includes(method)) { if (method !== 'parameters' && !method.startsWith('x-')) problem(where, 'unknown key in path item'); continue; }
      if (!isObject(op)) { problem(where, 'operation is not an object'); continue; }
      if (typeof op.operationId !== 'string' || op.operationId === '') problem(where, 'no operationId');
      else if (operationIds.has(op.operationId)) problem(where, `operationId ${op.operationId} also used by ${operationIds.get(op.operationId)}`);
      else operationIds.set(op.operationId, where);
      if (typeof op.summary !== 'string' || op.summary === '') problem(where, 'no summary');
      if (!isObject(op.responses) || Object.keys(op.responses).length === 0) problem(where, 'no responses');
      for (const [status, res] of Object.entries(isObject(op.responses) ? op.responses : {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problem(`${where} ${status}`, 'not a status code');
        if (!isObject(res) || typeof res.description !== 'string' || res.description === '') problem(`${where} ${status}`, 'response without description');
      }
      const params = Array.isArray(op.parameters) ? op.parameters : [];
      const seen = new Set<string>();
      for (const param of params) {
        if (!isObject(param) || typeof param.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(param.in))) {
          problem(where, `bad parameter ${JSON.stringify(param)}`);
          continue;
        }
        const key = `${String(param.in)}:${param.name}`;
        if (seen.has(key)) problem(where, `parameter ${key} twice`);
        seen.add(key);
        if (param.in === 'path' && param.required !== true) problem(where, `path parameter ${param.name} must be required`);
        if (!isObject(param.schema) && !isObject(param.content)) problem(where, `parameter ${param.name} has no schema`);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) problem(where, `path parameter {${name}} is not declared`);
      for (const key of seen) if (key.startsWith('path:') && !templated.includes(key.slice(5))) problem(where, `declares ${key} that is not in the path`);
      if (op.requestBody !== undefined && (!isObject(op.requestBody) || !isObject(op.requestBody.content))) problem(where, 'requestBody without content');
      if (Array.isArray(op.security)) {
        for (const requirement of op.security) {
          for (const name of Object.keys(isObject(requirement) ? requirement : {})) if (!(name in schemes)) problem(where, `security scheme ${name} is not declared`);
        }
      }
      if (p.startsWith(ADMIN) && !(Array.isArray(op.security) && op.security.length > 0)) problem(where, 'admin operation without security');
    }
  }

  // Every $ref resolves inside the document; schema type keywords are OpenAPI 3.0 ones (no type arrays, no "null").
  const resolve = (ref: string): Json | undefined => {
    if (!ref.startsWith('#/')) return undefined;
    let node: Json | undefined = doc;
    for (const raw of ref.slice(2).split('/')) {
      const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[part] : Array.isArray(node) ? node[Number(part)] : undefined;
    }
    return node;
  };
  const walk = (node: Json, where: string): void => {
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${where}/${i}`)); return; }
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string' && resolve(node.$ref) === undefined) problem(where, `$ref ${node.$ref} does not resolve`);
    if ('type' in node && (Array.isArray(node.type) || node.type === 'null') && where.includes('schema')) problem(where, `type ${JSON.stringify(node.type)} is not OpenAPI 3.0`);
    for (const [k, v] of Object.entries(node)) walk(v, `${where}/${k}`);
  };
  walk(doc, '#');
  return problems;
}

t.test('the validator catches what it checks (so the real document passing means something)', async (t) => {
  const broken: Json = {
    openapi: '3.1.0',
    info: { title: 'x' },
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/a/{id}': { get: { operationId: 'op', summary: 's', responses: { 200: {} } } },
      '/b': { post: { operationId: 'op', summary: 's', responses: { 200: { description: 'd', content: { 'application/json': { schema: { $ref: '#/components/schemas/none' } } } } } } },
      [`${ADMIN}/c`]: { get: { operationId: 'c', summary: 's', responses: { 200: { description: 'd' } }, security: [{ other: [] }] } },
      [`${ADMIN}/d`]: { get: { operationId: 'd', summary: 's', responses: { 200: { description: 'd' } } } },
    },
  };
  const found = openApiProblems(broken).join('\n');
  for (const expected of [/openapi: must be 3\.0\.x/, /info: needs title and version/, /GET \/a\/\{id\} 200: response without description/,
    /path parameter \{id\} is not declared/, /operationId op also used/, /\$ref #\/components\/schemas\/none does not resolve/,
    /security scheme other is not declared/, /GET \/api\/admin\/v1\/d: admin operation without security/]) {
    t.match(found, expected);
  }
});

t.test('/openapi.json is a valid OpenAPI 3.0 document with the admin API and its bearer security', async (t) => {
  const a = await adminApp(t);
  const res = await a.app.inject({ url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = JSON.parse(res.body) as JsonObject;
  t.same(openApiProblems(doc), [], 'no problems');
  t.match(doc.components, { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } });
  const paths = doc.paths as Record<string, Record<string, JsonObject>>;
  const admin = Object.entries(paths).filter(([p]) => p.startsWith(ADMIN));
  t.ok(admin.length >= 13, 'admin paths are documented');
  // Each admin operation documents the unauthenticated answer and the error shape.
  for (const [p, item] of admin) {
    for (const [method, op] of Object.entries(item)) {
      const responses = op.responses as Record<string, JsonObject>;
      t.ok(responses['401'], `${method} ${p} documents 401`);
      t.ok(responses['200'], `${method} ${p} documents 200`);
    }
  }
  t.ok(paths['/api/upgrades_info/graph']?.get, 'the public graph API is documented too');
  t.notOk(paths['/api/upgrades_info/graph']!.get!.security, 'the graph API has no security requirement');
});
