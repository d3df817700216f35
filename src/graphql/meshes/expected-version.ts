import { badRequest } from '../../common/errors/domain-error.js';
import type { ExpectedVersion } from '../../meshes/resources/mesh-resources.service.js';
import { EXPECTED_VERSION } from './mutation.inputs.js';

/**
 * The `expectedVersion` of an update or delete input, for the service (which compares it with the
 * row it has locked). Versions start at 1: a smaller one could never match, so it is refused as
 * invalid rather than answered with a CONFLICT. Named as the input's App Mesh members are (no `input.`).
 */
export function expectedVersion(input: Readonly<Record<string, unknown>>): ExpectedVersion {
  const value = input[EXPECTED_VERSION];
  if (value === null || value === undefined) return {};
  if (typeof value !== 'number' || value < 1) {
    throw badRequest(`${EXPECTED_VERSION}: must be at least 1; got ${String(value)}`);
  }
  return { expectedVersion: value };
}
