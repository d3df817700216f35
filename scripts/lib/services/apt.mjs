// @ts-check
// System packages: installs the server packages with apt-get when we are root, or says exactly
// what to install. Installing never enables or starts the distribution's own services (see
// aptInstall): the project runs its own instances on its own ports.
import { ServiceError } from './errors.mjs';
import { run } from './processes.mjs';

/** @typedef {import('./context.mjs').Ctx} Ctx */

let aptUpdated = false;

/**
 * @param {string[]} packages Debian package names.
 * @param {boolean} asRoot
 * @param {boolean} hasApt
 * @returns {ServiceError}
 */
export function missingPackagesError(packages, asRoot, hasApt) {
  const what = packages
    .map((p) => (p === 'postgresql' ? 'the PostgreSQL server (initdb, pg_ctl)' : 'the Redis server (redis-server)'))
    .join(' and ');
  const alternatives = packages.map((p) => (p === 'postgresql' ? 'DATABASE_URL' : 'REDIS_URL')).join(' / ');
  const install = hasApt
    ? `Install ${packages.length > 1 ? 'them' : 'it'} with:\n\n    ${asRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}\n\nthen run the command again.`
    : `Install ${packages.length > 1 ? 'them' : 'it'} with your system's package manager, then run the command again.`;
  return new ServiceError(
    `${what} ${packages.length > 1 ? 'are' : 'is'} not installed`,
    `${install}\nAlternatively, set ${alternatives} to use ${packages.length > 1 ? 'servers' : 'a server'} you already run.`,
  );
}

/**
 * @param {Ctx} ctx
 * @param {string[]} packages
 */
export async function aptInstall(ctx, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    ctx.log('apt: apt-get update');
    const r = await run('apt-get', ['update'], { env, show: true });
    if (r.code !== 0) throw new ServiceError(`apt-get update failed (exit ${r.code})`, 'See the output above.');
    aptUpdated = true;
  }
  ctx.log(`apt: apt-get install -y ${packages.join(' ')}`);
  const r = await run('apt-get', ['install', '-y', ...packages], { env, show: true });
  if (r.code !== 0) {
    throw new ServiceError(
      `apt-get install -y ${packages.join(' ')} failed (exit ${r.code})`,
      'See the output above. Alternatively, set DATABASE_URL / REDIS_URL to point at servers you already run.',
    );
  }
}
