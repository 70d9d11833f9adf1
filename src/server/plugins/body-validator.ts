// Request validation with Ajv as Fastify does it, except that bodies are never coerced: Fastify's default
// coerceTypes "array" turned {"name":["x"]} into the channel "x" and {"pullSpec":1} into "1". Query strings and path
// parameters are text by nature and keep coercion (`?limit=20` is the number 20).
import { AjvCompiler } from '@fastify/ajv-compiler';

type BuildValidator = ReturnType<typeof AjvCompiler>;

/** Fastify's schemaController.compilersFactory.buildValidator: one Ajv for bodies (no coercion), one for the rest. */
export function bodyWithoutCoercion(): BuildValidator {
  const fromPool = AjvCompiler();
  return (externalSchemas, options) => {
    const coercing = fromPool(externalSchemas, options);
    const customOptions = { ...options?.customOptions, coerceTypes: false };
    const strict = fromPool(externalSchemas, { ...options, customOptions } as Parameters<BuildValidator>[1]);
    return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
  };
}
