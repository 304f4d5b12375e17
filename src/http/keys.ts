/**
 * API keys of the HTTP daemon: minted as random 32-byte tokens shown once, stored only as SHA-256 hashes
 * in a JSON keys file that is replaced durably (temp, fsync, rename). A key is scoped to namespaces (or
 * `"*"`) and to scopes: `read`, `write`, `admin` (admin implies the other two).
 *
 * A token reads `t4dm_<id>_<secret>`: the 12-hex-digit id names the key (for listing and revoking), the
 * secret is 43 base64url characters (32 random bytes). A plain SHA-256 suffices: the token has 256 bits
 * of entropy, so there is nothing for a slow hash to stretch.
 *
 * Concurrency: calls in one process on one file are serialised; two processes editing the same file at
 * once may lose one edit (the last rename wins).
 *
 * @module
 */
import { NamespaceSchema } from "../memory/schema.ts";
import { MemoryError } from "../memory/errors.ts";
import { writeFileDurable } from "./_durable.ts";

/** What a key may do. `admin` implies `read` and `write`. */
export type Scope = "read" | "write" | "admin";
/** Every scope, in order. */
export const SCOPES: readonly Scope[] = ["read", "write", "admin"];

/** A key as listed: everything but the hash. */
export interface KeyInfo {
  /** Public id, part of the token. */
  id: string;
  /** Namespaces the key may use; `["*"]` for all. The first is the key's default namespace. */
  namespaces: string[];
  /** Scopes granted. */
  scopes: Scope[];
  /** Free text to recognise the key by. */
  label?: string;
  /** Creation time, ms since the epoch. */
  createdAt: number;
  /** Revocation time, if revoked. */
  revokedAt?: number;
}

/** A key as stored. */
export interface StoredKey extends KeyInfo {
  /** Hex SHA-256 of the whole token. */
  hash: string;
}

interface KeysFile {
  version: 1;
  keys: StoredKey[];
}

const chains = new Map<string, Promise<unknown>>();

function serial<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const next = (chains.get(file) ?? Promise.resolve()).then(fn, fn);
  chains.set(file, next.catch(() => {}));
  return next;
}

/** Hex SHA-256 of `token`. */
export async function hashToken(token: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Reads the keys file; a missing file holds no keys.
 *
 * @throws {SyntaxError} The file is not a keys file.
 */
export async function readKeys(file: string): Promise<StoredKey[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const doc = JSON.parse(text) as Partial<KeysFile>;
  if (doc.version !== 1 || !Array.isArray(doc.keys)) {
    throw new SyntaxError(`Cannot read keys file "${file}": not a version 1 keys file`);
  }
  return doc.keys;
}

function save(file: string, keys: StoredKey[]): Promise<void> {
  return writeFileDurable(file, JSON.stringify({ version: 1, keys } satisfies KeysFile, null, 2) + "\n");
}

function info(k: StoredKey): KeyInfo {
  const { hash: _, ...rest } = k;
  return rest;
}

function b64url(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Mints a key, stores its hash and returns the token (shown once) with the key's details.
 *
 * @param file The keys file (created if missing).
 * @param options Namespaces (names or `"*"`), scopes and an optional label.
 * @throws {MemoryError} VALIDATION for an empty or malformed namespace or scope list.
 *
 * @example Mint, list and revoke
 * ```ts
 * import { createKey, listKeys, revokeKey } from "./keys.ts";
 * const file = `${Deno.makeTempDirSync()}/keys.json`;
 * const { token, key } = await createKey(file, { namespaces: ["team-a"], scopes: ["read"] });
 * if (!token.startsWith(`t4dm_${key.id}_`)) throw new Error(token);
 * await revokeKey(file, key.id);
 * if ((await listKeys(file))[0]?.revokedAt === undefined) throw new Error("not revoked");
 * ```
 */
export function createKey(
  file: string,
  options: { namespaces: string[]; scopes: Scope[]; label?: string; now?: number },
): Promise<{ token: string; key: KeyInfo }> {
  const bad = (field: string, why: string) =>
    new MemoryError("VALIDATION", `Cannot create key: field "${field}" ${why}`, { field });
  if (options.namespaces.length === 0) throw bad("namespaces", "must name at least one namespace or '*'");
  for (const ns of options.namespaces) {
    if (ns !== "*" && !NamespaceSchema.safeParse(ns).success) throw bad("namespaces", `has bad "${ns}"`);
  }
  if (options.scopes.length === 0) throw bad("scopes", "must name at least one scope");
  for (const s of options.scopes) if (!SCOPES.includes(s)) throw bad("scopes", `has unknown "${s}"`);
  return serial(file, async () => {
    const keys = await readKeys(file);
    const id = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0"))
      .join("");
    const token = `t4dm_${id}_${b64url(crypto.getRandomValues(new Uint8Array(32)))}`;
    const key: StoredKey = {
      id,
      hash: await hashToken(token),
      namespaces: options.namespaces.includes("*") ? ["*"] : [...new Set(options.namespaces)],
      scopes: SCOPES.filter((s) => options.scopes.includes(s)),
      createdAt: options.now ?? Date.now(),
    };
    if (options.label !== undefined) key.label = options.label;
    await save(file, [...keys, key]);
    return { token, key: info(key) };
  });
}

/** Every key in `file` (revoked ones too), without hashes. */
export async function listKeys(file: string): Promise<KeyInfo[]> {
  return (await readKeys(file)).map(info);
}

/**
 * Revokes key `id`; the daemon stops accepting it within a second. Returns false if there is no such
 * active key.
 */
export function revokeKey(file: string, id: string, options: { now?: number } = {}): Promise<boolean> {
  return serial(file, async () => {
    const keys = await readKeys(file);
    const k = keys.find((x) => x.id === id && x.revokedAt === undefined);
    if (!k) return false;
    k.revokedAt = options.now ?? Date.now();
    await save(file, keys);
    return true;
  });
}
