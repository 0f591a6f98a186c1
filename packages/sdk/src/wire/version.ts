/**
 * Protocol versions. The first three bytes of a frame (magic and version) keep their meaning in
 * every version, so any build can tell "another version" from "garbage" ([W4]).
 */
import { ErrorCode, WireError } from '../errors.js';

/** The wire protocol version this build writes. Bumped only for incompatible changes. */
export const PROTOCOL_VERSION = 2;

/**
 * Versions this build reads. v2 (terms name the czar's instance and carry confirmation, [R7],
 * [R23]) cannot read v1's snapshots, digests and acks, so v1 is not listed.
 */
export const SUPPORTED_VERSIONS: readonly number[] = [2];

/**
 * True when this build can read frames of wire protocol `version`: tells "a peer on another
 * release" apart from "garbage" before any decoding.
 *
 * @example
 * ```ts
 * if (!isSupportedVersion(frame[2]!)) throw incompatibleVersion(frame[2]!, peer);
 * ```
 */
export function isSupportedVersion(version: number): boolean {
  return SUPPORTED_VERSIONS.includes(version);
}

/**
 * The `incompatible-version` error for a frame of version `theirs`. Names both versions and says
 * which side to upgrade.
 *
 * @example
 * ```ts
 * const err = incompatibleVersion(2, 'bob');
 * err.message; // 'Peer "bob" speaks wire protocol v2, this build speaks v1 (reads v1): upgrade @anarchy/sdk in this app …'
 * ```
 */
export function incompatibleVersion(theirs: number, peer?: string): WireError {
  const who = peer === undefined ? 'A peer' : `Peer ${JSON.stringify(peer)}`;
  const fix =
    theirs > PROTOCOL_VERSION
      ? 'upgrade @anarchy/sdk in this app so every peer in the room runs a compatible version'
      : 'that peer runs an older @anarchy/sdk; upgrade it so every peer in the room runs a compatible version';
  return new WireError(
    ErrorCode.IncompatibleVersion,
    `${who} speaks wire protocol v${theirs}, this build speaks v${PROTOCOL_VERSION} (reads ${SUPPORTED_VERSIONS.map((v) => `v${v}`).join(', ')}): ${fix}.`,
    { ours: PROTOCOL_VERSION, theirs, supported: SUPPORTED_VERSIONS, ...(peer === undefined ? {} : { peer }) },
  );
}
