/**
 * {@linkcode KeyStore}: the daemon's view of the keys file, re-read when the file changes so that keys
 * added or revoked by `t4dm keys` take effect without a restart.
 *
 * @module
 */
import { MemoryError } from "../memory/errors.ts";
import { hashToken, readKeys, type Scope, type StoredKey } from "./keys.ts";

/** Who is calling: a key, or everyone when the daemon runs without keys. */
export interface Principal {
  /** The key id, or null in open mode. */
  keyId: string | null;
  /** Namespaces allowed: `"*"` or a list. */
  namespaces: "*" | readonly string[];
  /** Scopes granted (admin already expanded to read and write). */
  scopes: readonly Scope[];
  /** Namespace used when a request names none; undefined means the store's default. */
  defaultNamespace: string | undefined;
}

/** The principal of a daemon without keys (loopback only): everything is allowed. */
export const OPEN_PRINCIPAL: Principal = {
  keyId: null,
  namespaces: "*",
  scopes: ["read", "write", "admin"],
  defaultNamespace: undefined,
};

function principalOf(k: StoredKey): Principal {
  const all = k.namespaces.includes("*");
  return {
    keyId: k.id,
    namespaces: all ? "*" : k.namespaces,
    scopes: k.scopes.includes("admin") ? ["read", "write", "admin"] : k.scopes,
    defaultNamespace: all ? undefined : k.namespaces[0],
  };
}

function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The keys of one keys file, checked for changes at most every `reloadMs`.
 *
 * Concurrency: `verify` and `active` may overlap; they share one reload. If the file turns unreadable
 * the store fails closed (UNAVAILABLE) rather than keep keys that may have been revoked.
 *
 * @example
 * ```ts
 * import { createKey } from "./keys.ts";
 * import { KeyStore } from "./key_store.ts";
 * const file = `${Deno.makeTempDirSync()}/keys.json`;
 * const { token } = await createKey(file, { namespaces: ["a"], scopes: ["read"] });
 * const keys = await KeyStore.open(file);
 * if ((await keys.verify(token))?.defaultNamespace !== "a") throw new Error("not verified");
 * if (await keys.verify(token + "x")) throw new Error("accepted a wrong token");
 * ```
 */
export class KeyStore {
  readonly #file: string;
  readonly #clock: () => number;
  readonly #reloadMs: number;
  #keys = new Map<string, StoredKey>();
  #stamp = "";
  #checkedAt = -Infinity;
  #loading: Promise<void> | undefined;

  private constructor(file: string, clock: () => number, reloadMs: number) {
    this.#file = file;
    this.#clock = clock;
    this.#reloadMs = reloadMs;
  }

  /**
   * Loads `file` (a missing file holds no keys).
   *
   * @param options `clock` (ms, default Date.now) and `reloadMs` (default 1000).
   */
  static async open(
    file: string,
    options: { clock?: () => number; reloadMs?: number } = {},
  ): Promise<KeyStore> {
    const ks = new KeyStore(file, options.clock ?? Date.now, options.reloadMs ?? 1000);
    await ks.#refresh();
    return ks;
  }

  async #refresh(): Promise<void> {
    if (this.#clock() - this.#checkedAt < this.#reloadMs) return;
    this.#loading ??= this.#load().finally(() => this.#loading = undefined);
    await this.#loading;
  }

  async #load(): Promise<void> {
    try {
      let stamp = "missing";
      try {
        const s = await Deno.stat(this.#file);
        stamp = `${s.ino}:${s.size}:${s.mtime?.getTime()}`;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      if (stamp !== this.#stamp) {
        const keys = stamp === "missing" ? [] : await readKeys(this.#file);
        this.#keys = new Map(keys.filter((k) => k.revokedAt === undefined).map((k) => [k.id, k]));
        this.#stamp = stamp;
      }
      this.#checkedAt = this.#clock();
    } catch (e) {
      this.#keys = new Map();
      this.#stamp = "";
      throw new MemoryError("UNAVAILABLE", "Cannot check API keys: the keys file is unreadable", {
        cause: e,
      });
    }
  }

  /** How many keys are active now. */
  async active(): Promise<number> {
    await this.#refresh();
    return this.#keys.size;
  }

  /** The principal of `token`, or undefined for an unknown, malformed or revoked token. */
  async verify(token: string): Promise<Principal | undefined> {
    await this.#refresh();
    const m = /^t4dm_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(token);
    const k = m ? this.#keys.get(m[1]!) : undefined;
    if (!k) return undefined;
    return sameHash(await hashToken(token), k.hash) ? principalOf(k) : undefined;
  }
}
