// @ts-check
// Real third-party clients the tests drive (never stand-ins). Each is found on the machine or
// installed into .data/tools from its public registry, so a fresh machine needs nothing by hand.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from './run.mjs';

const exec = promisify(execFile);
const AWS_CLI_VERSION = '1.45.11';

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
    await run(
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
      { env },
    );
  }
  await exec(python, ['-m', 'awscli', '--version'], { env });
  return { command: [python, '-m', 'awscli'], env: { PYTHONPATH: target } };
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
  throw Object.assign(new Error('python3 with pip is needed to install the AWS CLI for the tests'), {
    hint: 'Install it with: sudo apt-get install -y python3-pip (or put the AWS CLI on PATH).',
  });
}
