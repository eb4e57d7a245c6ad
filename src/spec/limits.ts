/**
 * Limits on names and paths that become file-system paths (ext4, xfs, btrfs, APFS, NTFS allow
 * 255 bytes per path segment; Linux allows 4096 per path). The schema's `maxLength` on names
 * repeats MAX_NAME_LENGTH (schemas/flow.schema.json, `$defs/name`).
 */

/** A flow name, a step name and a step's qualified name (`group.inner`): at most this many characters (ASCII). */
export const MAX_NAME_LENGTH = 200;
/** One segment of an output path, in UTF-8 bytes (NAME_MAX). */
export const MAX_SEGMENT_BYTES = 255;
/** A whole output path, in UTF-8 bytes: leaves room under PATH_MAX for the task directory and `<step>/<index>/` prefixes. */
export const MAX_OUTPUT_PATH_BYTES = 1024;

/** Why names are limited, as a hint. */
export const NAME_LENGTH_HINT = 'flowctl uses the name as a folder name in the store, and common file systems allow at most 255 bytes per name; choose a shorter name';
