/**
 * On-disk constants of the manifest (version-edit log). Layout is documented at the top of
 * engine/manifest/version_edit.ts; framing is the WAL's (engine/wal/wal_writer.ts).
 *
 * @module
 */

// ---- ON DISK: never change these values; retire tags instead of reusing them. ----
/** Bit set on a tag whose field an older reader may skip. */
export const TAG_SAFE_TO_IGNORE = 0x40;
/** Tag: the WAL number from which recovery must replay. */
export const TAG_LOG_NUMBER = 1;
/** Tag: the next file number to allocate. */
export const TAG_NEXT_FILE = 2;
/** Tag: the last sequence number durable in tables. */
export const TAG_LAST_SEQ = 3;
/** Tag: a table added to a level. */
export const TAG_ADD_FILE = 4;
/** Tag: a table removed from a level. */
export const TAG_DELETE_FILE = 5;
/** Tag: the format version of the writer (first edit of every manifest). */
export const TAG_FORMAT_VERSION = 6;
/** Tag: free text written by the engine for debugging (safe to ignore). */
export const TAG_COMMENT = 7 | TAG_SAFE_TO_IGNORE;
/** Retired tags, never to be reused: none yet. */
export const RETIRED_TAGS: readonly number[] = [];
// ---- end of on-disk constants ----

/** Manifest format versions. */
export enum ManifestFormatVersion {
  /** Initial version: tags 1–7. */
  V1 = 1,
}
/** The version this build writes. */
export const MANIFEST_FORMAT_VERSION = ManifestFormatVersion.V1;
/** The oldest version this build reads. */
export const MANIFEST_OLDEST_READABLE = ManifestFormatVersion.V1;

/** Number of levels in the LSM tree. */
export const NUM_LEVELS = 7;
