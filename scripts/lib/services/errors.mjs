// @ts-check
// Failures of the service set-up that the user can act on.
/** A failure the user can act on: callers print `message`, then `hint`, and exit with code 1. */
export class ServiceError extends Error {
  /**
   * @param {string} message
   * @param {string} [hint]
   */
  constructor(message, hint = '') {
    super(message);
    this.name = 'ServiceError';
    /** @type {string} */
    this.hint = hint;
  }
}

/** @param {string} file */
export function notOursError(file) {
  return new ServiceError(
    `no permission to use ${file}`,
    'It was probably set up by another user (e.g. root via sudo). Run the command as that user, or remove the .data folder (as that user) to start over.',
  );
}

/** @param {unknown} e */
export function errCode(e) {
  return e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
}

/**
 * @param {unknown} e
 * @returns {string}
 */
export function errMessage(e) {
  if (e instanceof AggregateError && !e.message) return e.errors.map(errMessage).join('; ');
  if (e instanceof Error) return e.message || errCode(e) || e.name;
  return String(e);
}
