// What an admin route module is, the services it may call, and the helpers that give every route the same schema
// conventions (tag, bearer security, error answers) and the same {value, warnings, changed} answer.
import { Rollouts } from '../../../services/rollouts.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KusError } from '../../../errors/index.js';
import type { Release } from '../../../graph/index.js';
import type { IngestOptions } from '../../../services/ingest.js';
import type { FleetInventory, FleetPollBatchEntry } from '../../../services/fleet/index.js';
import type { Mirror } from '../../../services/mirror.js';
import type { PromotionPolicies } from '../../../services/policies/index.js';
import type { Actor, PublisherApi, WriteResult } from '../../../services/publisher.js';
import type { Tokens } from '../../../services/tokens.js';
import { errorSchema } from '../../schemas/admin.js';
import type { SigningServices } from './signing-services.js';

/** Resolves a pull spec in a registry and publishes the release (helper "registry" implements it). */
export interface IngestService {
  ingest(actor: Actor, pullSpec: string, options: IngestOptions): Promise<WriteResult<Release>>;
}

export interface AdminServices {
  publisher: PublisherApi;
  tokens: Tokens;
  ingest?: IngestService;
  /** `kus mirror --server` (POST /mirror); answers 500 when the server was composed without it. */
  mirror?: { apply(...args: Parameters<Mirror['apply']>): ReturnType<Mirror['apply']> | Promise<ReturnType<Mirror['apply']>> };
  /** Release signing (keys, signatures); its routes answer 500 when the server was composed without it. */
  signing?: SigningServices;
  /** The fleet inventory (GET /fleet/*); its routes answer 500 when the server runs without it (--no-fleet). */
  fleet?: FleetInventory;
  /** Where replicas' fleet reports are written (POST /fleet/reports: FleetRecorder.merge); 500 without it. */
  fleetReports?: { merge(entries: readonly FleetPollBatchEntry[]): Promise<void> };
  /** Phased rollouts; by default the Rollouts service over `publisher` with the system clock. */
  rollouts?: Rollouts;
  /** Promotion policies (/policies, /channels/:name/policies/*); their routes answer 500 when the server was composed without them. */
  policies?: PromotionPolicies;
}

/** The rollout service of the admin routes (one per route module registration; it holds no state but the clock). */
export const rolloutsOf = (services: AdminServices): Rollouts => services.rollouts ?? new Rollouts({ publisher: services.publisher });

/** What routes may need from the server's configuration. */
export interface AdminRouteOptions {
  /** Body limit of POST /mirror (`kus serve --mirror-body-limit`). */
  mirrorBodyBytes: number;
}

/** One admin operation: registers its route (paths relative to the admin prefix) on the authenticated scope. */
export type AdminRoute = (scope: FastifyInstance, services: AdminServices, options: AdminRouteOptions) => void;

/**
 * Body limits of admin routes. Most bodies are a few names and versions: 64 KiB. A route with a large field takes
 * what that field's schema allows (maxLength, JSON escaping aside) and declares it with `bodyLimit`.
 */
export const ADMIN_BODY_LIMIT = 64 * 1024;
export const BODY_LIMITS = {
  /** signature: up to 70,000 base64 characters. */
  signature: 128 * 1024,
  /** key (256 KiB of armor); raw metadata value (64 Ki characters). */
  medium: 512 * 1024,
  /** previous/next lists of up to 10,000 versions; a risk's message and rules; a registry CA bundle of up to 1 MiB. */
  large: 1024 * 1024,
  caBundle: 2 * 1024 * 1024,
} as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the admin scope's bearer-token hook; null outside it. */
    adminActor: Actor | null;
  }
  interface FastifyContextConfig {
    /** The audit action of a write route (e.g. release.add), so that a request refused before the service is audited too. */
    audit?: string;
  }
}

/** The token name the request was authenticated as (the hook guarantees one on every admin route). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.adminActor) throw new KusError('KUS_ERR_INTERNAL', 'an admin route ran without an authenticated actor');
  return request.adminActor;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is invalid (KUS_ERR_BAD_REQUEST, KUS_ERR_INVALID_*); the message quotes the offending value.',
  401: 'No valid bearer token (KUS_ERR_UNAUTHORIZED); the answer carries WWW-Authenticate: Bearer.',
  403: 'The token\'s scope does not allow this route (KUS_ERR_FORBIDDEN): viewer tokens only read, fleet-report tokens only send fleet reports.',
  404: 'The named object does not exist (KUS_ERR_NOT_FOUND).',
  409: 'The request conflicts with the stored state (KUS_ERR_CONFLICT, KUS_ERR_DIGEST_MISMATCH, KUS_ERR_CYCLE).',
  500: 'An internal error (KUS_ERR_INTERNAL, KUS_ERR_STORE); details are in the server log.',
};

export interface AdminSchemaInput {
  operationId: string;
  summary: string;
  description?: string;
  params?: object;
  querystring?: object;
  body?: object;
  /** The success answer's `value`. */
  value: object;
  /** Description of the success answer. */
  ok: string;
  /** Error statuses besides 400, 401, 403 and 500 (which every route may answer), with what they mean here. */
  errors?: Record<number, string>;
}

/** A complete route schema: tag admin, bearer security, the success answer and every error answer. */
export function adminSchema(input: AdminSchemaInput) {
  const errors: Record<number, string> = { 400: ERROR_TEXT[400]!, 401: ERROR_TEXT[401]!, 403: ERROR_TEXT[403]!, ...input.errors, 500: ERROR_TEXT[500]! };
  const response: Record<string, object> = {
    200: {
      description: input.ok,
      type: 'object',
      required: ['value', 'warnings', 'changed'],
      properties: {
        value: input.value,
        warnings: { type: 'array', items: { type: 'string' }, description: 'Accepted, but worth reading.' },
        changed: { type: 'boolean', description: 'False when a write found the store already as asked (nothing was written).' },
      },
    },
  };
  for (const [status, description] of Object.entries(errors)) response[status] = { ...errorSchema, description };
  return {
    operationId: input.operationId,
    tags: ['admin'],
    summary: input.summary,
    ...(input.description ? { description: input.description } : {}),
    security: [{ bearerAuth: [] }],
    ...(input.params ? { params: input.params } : {}),
    ...(input.querystring ? { querystring: input.querystring } : {}),
    ...(input.body ? { body: input.body } : {}),
    response,
  };
}

/** Standard error texts, for routes' `errors`. */
export const NOT_FOUND = ERROR_TEXT[404]!;
export const CONFLICT = ERROR_TEXT[409]!;

export interface Answer<T> {
  value: T;
  warnings: string[];
  changed: boolean;
}

/** The answer to a read. */
export const readAnswer = <T>(value: T): Answer<T> => ({ value, warnings: [], changed: false });

/**
 * The answer to a read whose value comes as JSON text (made elsewhere, e.g. in the build worker): sent as it is, with
 * the envelope readAnswer's serialization gives, so the serving thread does not parse or serialize a large value.
 */
export async function readAnswerJson(reply: FastifyReply, valueJson: string | Promise<string>): Promise<string> {
  const text = await valueJson;
  void reply.type('application/json; charset=utf-8');
  return `{"value":${text},"warnings":[],"changed":false}`;
}

/** The answer to a write, once it is done (the served graph shows the change by then). */
export async function writeAnswer<T>(pending: WriteResult<T> | Promise<WriteResult<T>>): Promise<Answer<T>> {
  const result = await pending;
  return { value: result.value, warnings: result.warnings, changed: result.changed };
}

/** `{ type: object, additionalProperties: false }` with the given required string properties. */
export function strictObject(properties: Record<string, object>, required: string[] = Object.keys(properties)) {
  return { type: 'object', additionalProperties: false, required, properties } as const;
}
