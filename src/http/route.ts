/**
 * The route table's types: each route declares its method, path, access, schemas and responses once,
 * and both the router (handler.ts) and the OpenAPI document (openapi.ts) are built from that
 * declaration.
 *
 * @module
 */
import type { z } from "zod";
import type { T4DM } from "../memory/t4dm.ts";
import type { KeyedLock } from "./_keyed_lock.ts";
import type { Principal } from "./key_store.ts";
import type { Scope } from "./keys.ts";

/** HTTP methods in use. */
export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** Who may call a route: anyone, any valid key, or keys with a scope. */
export type Access = "public" | "any" | Scope;

/** The daemon's limits. */
export interface Limits {
  /** Largest JSON body, bytes. @default 1 MiB */
  bodyBytes: number;
  /** Largest import body, bytes. @default 64 MiB */
  importBytes: number;
  /** Most memories in one batch. @default 1000 */
  batch: number;
  /** Deepest JSON nesting. @default 32 */
  jsonDepth: number;
}

/** Default {@linkcode Limits}. */
export const DEFAULT_LIMITS: Limits = {
  bodyBytes: 1 << 20,
  importBytes: 64 << 20,
  batch: 1000,
  jsonDepth: 32,
};

/** The daemon's state, as /ready reports it. */
export type Readiness = "starting" | "ready" | "draining";

/** What a route's handler gets: validated input, the caller and the service layer. */
export interface RouteContext<P, Q, B> {
  mem: T4DM;
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** The request's namespace, already checked against the key (namespaced routes only). */
  namespace: string;
  /** Throws FORBIDDEN unless the key may use `ns` with the route's scope. */
  authorize(ns: string): void;
  req: Request;
  limits: Limits;
  locks: KeyedLock;
  readiness(): Readiness;
}

/** One documented response. */
export interface ResponseSpec {
  description: string;
  /** Body schema; none for an empty body. */
  schema?: z.ZodType;
  /** @default "application/json" */
  contentType?: string;
}

/** A route. `P`, `Q`, `B` are the validated params, query and body. */
export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Hono path, e.g. `/v1/memories/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  access: Access;
  /** Whether the route works in one namespace (resolved from body, query, header or key). */
  namespaced: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** A JSON body (optionally empty), or a streamed JSON-lines body and the schema of one line. */
  body?: { schema: z.ZodType<B>; optional?: boolean } | { jsonl: z.ZodType };
  responses: Record<number, ResponseSpec>;
  handle(ctx: RouteContext<P, Q, B>): Promise<Response> | Response;
}

/** Declares a route, inferring its input types from its schemas. */
export function defineRoute<P, Q, B>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

/** A JSON response. */
export function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), { status, headers: { "content-type": "application/json" } });
}

/** The lock key of one memory, for read-modify-write routes. */
export function lockKey(namespace: string, id: string): string {
  return `${namespace}\0${id}`;
}
