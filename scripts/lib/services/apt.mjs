// @ts-check
// System packages: installs the server packages with apt-get when we are root, or says exactly
// what to install. Installing never enables or starts the distribution's own services (see
// aptInstall): the project runs its own instances on its own ports.
import fs from 'node:fs';
import { ServiceError, errCode } from './errors.mjs';
import { outputOf, run } from './processes.mjs';

/** @typedef {import('./context.mjs').Ctx} Ctx */
/** @typedef {import('./processes.mjs').RunResult} RunResult */

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

const POLICY =
  '#!/bin/sh\n# Written by meshplane while it installs packages: start no services (removed afterwards).\nexit 101\n';

/** Where Debian's invoke-rc.d looks for the local policy on starting services (see policy-rc.d(8)). */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Runs `fn` with a policy-rc.d that forbids every service action (exit 101, "action forbidden by
 * policy"), so packages installed meanwhile do not start their system services. An existing
 * policy is the administrator's (Docker images ship one that already denies): it is left alone.
 * Ours is removed afterwards, whatever `fn` does.
 *
 * @template T
 * @param {() => Promise<T>} fn
 * @param {string} [policyFile] The policy's path (tests use a scratch one).
 * @returns {Promise<T>}
 */
export async function withServiceStartsDenied(fn, policyFile = POLICY_RC_D) {
  let ours = false;
  try {
    fs.writeFileSync(policyFile, POLICY, { flag: 'wx', mode: 0o755 });
    fs.chmodSync(policyFile, 0o755);
    ours = true;
  } catch (e) {
    if (errCode(e) !== 'EEXIST') throw e;
  }
  try {
    return await fn();
  } finally {
    if (ours) fs.rmSync(policyFile, { force: true });
  }
}

/**
 * Installs `packages` with apt-get: only they and their dependencies (`--no-install-recommends`),
 * without starting the system services they ship (a project-local instance is run instead on its
 * own port, and a system Redis or PostgreSQL started behind the user's back would hold 6379/5432
 * and memory for nothing). apt's output is captured: one line per step, and the output's tail
 * only when a step fails.
 *
 * @param {Ctx} ctx
 * @param {string[]} packages
 */
export async function aptInstall(ctx, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  /** @type {(what: string, r: RunResult) => ServiceError} */
  const failed = (what, r) =>
    new ServiceError(
      `${what} failed (exit ${r.code})`,
      `${tail(outputOf(r))}\nAlternatively, set DATABASE_URL / REDIS_URL to point at servers you already run.`,
    );
  if (!aptUpdated) {
    ctx.log('apt: updating the package lists (apt-get update)...');
    const r = await run('apt-get', ['update'], { env });
    if (r.code !== 0) throw failed('apt-get update', r);
    aptUpdated = true;
  }
  const args = ['install', '-y', '--no-install-recommends', ...packages];
  ctx.log(`apt: installing ${packages.join(' ')} (apt-get ${args.join(' ')}; its services are not started)...`);
  const r = await withServiceStartsDenied(() => run('apt-get', args, { env }));
  if (r.code !== 0) throw failed(`apt-get ${args.join(' ')}`, r);
  await disableUnits(ctx, packages);
}

/** The systemd unit each server package enables in its postinst (Debian and Ubuntu packaging). */
const UNITS = /** @type {Record<string, string>} */ ({
  postgresql: 'postgresql.service',
  'redis-server': 'redis-server.service',
});

/**
 * Debian's postinst enables a package's unit whatever policy-rc.d says, so on a host that runs
 * systemd the service would start at the next boot: disable the units of the packages this run
 * installed (the user asked for none of them). Without systemd there is nothing to undo.
 *
 * @param {Ctx} ctx
 * @param {string[]} packages
 */
async function disableUnits(ctx, packages) {
  const units = packages.flatMap((p) => (UNITS[p] ? [UNITS[p]] : []));
  if (units.length === 0 || !fs.existsSync('/run/systemd/system')) return;
  const r = await run('systemctl', ['disable', '--quiet', ...units]).catch(() => null);
  if (!r || r.code !== 0) ctx.log(`apt: could not disable ${units.join(' ')} (systemctl); they may start at boot`);
}

/**
 * The last lines of a command's output, for an error's hint.
 *
 * @param {string} output
 */
function tail(output) {
  return output.split('\n').slice(-20).join('\n');
}
