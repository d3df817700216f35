import { badRequest } from '../../common/errors/domain-error.js';
import { textProblem } from '../../common/validation/text.js';

/** App Mesh's ResourceName: 1-255 characters. */
const MAX_NAME = 255;

/**
 * A name argument, held to the rules REST's model validation applies to names (length, and text
 * PostgreSQL can compare), so that no argument reaches a query raw. `allowEmpty` for prefixes.
 */
export function nameArg(field: string, value: string, allowEmpty = false): string {
  const length = [...value].length;
  if ((!allowEmpty && length < 1) || length > MAX_NAME) {
    throw badRequest(`${field}: must be ${allowEmpty ? 'at most' : '1 to'} ${MAX_NAME} characters long; got ${length}`);
  }
  const problem = textProblem(value);
  if (problem !== undefined) throw badRequest(`${field}: ${problem}`);
  return value;
}
