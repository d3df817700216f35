// The apt step of scripts/lib/services: packages are installed under a policy-rc.d that forbids
// starting services (Debian's invoke-rc.d obeys it), so installing redis-server or postgresql does
// not start the system's own instance. Exercised on a scratch policy path: the real one is shared
// by everything on this machine that runs apt.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY_RC_D, withServiceStartsDenied } from '../../scripts/lib/services/apt.mjs';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'meshplane-policy-'));

async function exitCodeOf(file: string): Promise<number> {
  try {
    await exec(file, ['redis-server', 'start']);
    return 0;
  } catch (e) {
    return (e as { code: number }).code;
  }
}

describe('withServiceStartsDenied', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is Debian's policy-rc.d path by default", () => {
    expect(POLICY_RC_D).toBe('/usr/sbin/policy-rc.d');
  });

  it('forbids every service action while the install runs (exit 101), then removes its policy', async () => {
    const policy = join(dir, 'policy-rc.d');
    const during = await withServiceStartsDenied(
      async () => ({
        code: await exitCodeOf(policy),
        mode: statSync(policy).mode & 0o777,
      }),
      policy,
    );
    expect(during).toEqual({ code: 101, mode: 0o755 });
    expect(existsSync(policy)).toBe(false);
  });

  it('removes its policy when the install fails too', async () => {
    const policy = join(dir, 'failing');
    await expect(
      withServiceStartsDenied(async () => {
        throw new Error('apt-get failed');
      }, policy),
    ).rejects.toThrow('apt-get failed');
    expect(existsSync(policy)).toBe(false);
  });

  it("leaves an administrator's existing policy as it was", async () => {
    const policy = join(dir, 'theirs');
    writeFileSync(policy, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expect(await withServiceStartsDenied(async () => exitCodeOf(policy), policy)).toBe(0);
    expect(readFileSync(policy, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
  });
});
