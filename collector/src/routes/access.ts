// Who may call each /api route, declared on the route (`config: { access }`) and enforced in one place.
// installRouteAccess, called before any route is registered, adds an onRoute hook that
// 1. refuses to register an /api route without a declaration (the collector does not start), so a route added
//    later cannot forget one;
// 2. puts the API key check (api-auth.ts) and the role check in front of every route that takes an API key.
// A tenant key then sees only its tenant: handlers narrow lists and lookups with listTenant, actTenant and sees.
// Those read the caller the hook set and throw when there is none (a route registered without the hook), so a
// mistake fails closed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpErrors } from '../errors.js';
import { createApiAuth, type ApiAuthDeps, type Caller } from './api-auth.js';

/**
 * - admin: admin keys only; tenant keys get 403.
 * - read: any API key; a tenant key sees its own tenant only (lists narrowed, another tenant's resource 404).
 * - operate: admin keys and tenant keys with the role operate (read keys get 403), on their own tenant.
 * - own-credential: no API key; the route checks its own credential (an enrollment token, an agent credential).
 */
export const ROUTE_ACCESS = ['admin', 'read', 'operate', 'own-credential'] as const;
export type RouteAccess = (typeof ROUTE_ACCESS)[number];

const GUARDED_PREFIX = '/api/';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by the access check on every route that takes an API key. */
    caller?: Caller;
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** The /api routes registered on `app` with their access, in registration order (HEAD routes included). */
export const declaredRoutes = (app: FastifyInstance): readonly DeclaredRoute[] => declared.get(app) ?? [];

export function installRouteAccess(app: FastifyInstance, deps: ApiAuthDeps): void {
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  const authenticate = createApiAuth(deps);
  const checks = new Map(ROUTE_ACCESS.map((access) => [access, accessCheck(access, authenticate)]));
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(GUARDED_PREFIX)) return;
    const methods = [route.method].flat();
    const access = route.config?.access;
    const check = access && checks.get(access);
    if (!access || check === undefined) {
      throw new Error(`${methods.join(',')} ${route.url}: an /api route must declare config.access (${ROUTE_ACCESS.join(', ')})`);
    }
    for (const method of methods) routes.push({ method, url: route.url, access });
    if (check) route.onRequest = [check, ...[route.onRequest ?? []].flat()];
  });
}

type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<Caller>;

/** The onRequest check of one access; null for own-credential (the route checks its credential itself). */
function accessCheck(access: RouteAccess, authenticate: Authenticate) {
  if (access === 'own-credential') return null;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = await authenticate(request, reply);
    request.caller = caller;
    if (access === 'admin' && caller.role !== 'admin') throw httpErrors.forbidden('this route needs an admin API key');
    if (access === 'operate' && caller.role === 'read') throw httpErrors.forbidden('this API key can only read');
  };
}

/** The caller the access check set; throws (500) when the route was registered without it. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`${request.method} ${request.routeOptions.url}: no API caller; the route was registered without installRouteAccess`);
  return request.caller;
}

/**
 * The tenant a list is narrowed to: for an admin key the one asked for (undefined: every tenant); for a tenant
 * key its own, and 403 `tenant_forbidden` when it asks for another. 403 rather than an empty list or 404: the
 * answer is the same for every other tenant, existing or not, so nothing leaks, and an integrator configured with
 * the wrong tenant learns that the key is the problem, not the data.
 */
export function listTenant(request: FastifyRequest, asked: string | undefined): string | undefined {
  const { tenant } = callerOf(request);
  if (tenant === null) return asked;
  if (asked !== undefined && asked !== tenant) throw httpErrors.tenantForbidden(tenant);
  return tenant;
}

/** A tenant named in a request that creates something there (a body's tenant): 403 as in listTenant. */
export function actTenant(request: FastifyRequest, tenant: string): void {
  listTenant(request, tenant);
}

/**
 * Whether the caller may see a resource of `tenant`. A resource it may not see is answered like an unknown id
 * (404), so a tenant key cannot even learn that another tenant's ticket, window or silence exists.
 */
export function sees(request: FastifyRequest, tenant: string): boolean {
  const caller = callerOf(request);
  return caller.tenant === null || caller.tenant === tenant;
}

/** The name recorded as who acted (acknowledgedBy, createdBy, a note's author). */
export const actor = (request: FastifyRequest): string => callerOf(request).name;
