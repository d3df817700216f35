#!/usr/bin/env node
// @ts-check
// Writes protos/envoy-api.binpb, the Envoy xDS proto set the encoder uses, from the go-control-plane
// release pinned in protos/go.mod (`npm run gen:protos`; ADR 0009). Needs the Go toolchain and the
// Go module proxy; nothing at run time or in `npm start`/`npm test` does.
//
//   node scripts/gen-protos.mjs           write protos/envoy-api.binpb
//   node scripts/gen-protos.mjs --check   exit 1 if the committed file differs from a fresh one
//
// Exit codes: 0 ok, 1 out of date, 2 usage or no Go toolchain.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './lib/run.mjs';

const dir = fileURLToPath(new URL('../protos/', import.meta.url));
const target = join(dir, 'envoy-api.binpb');

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-protos.mjs [--check]');
  process.exit(2);
}
if (spawnSync('go', ['version']).status !== 0) {
  console.error('The Go toolchain is needed to generate protos/envoy-api.binpb (https://go.dev/doc/install).');
  process.exit(2);
}

if (!check) {
  await run('go', ['run', '.', target], { cwd: dir });
} else {
  const scratch = mkdtempSync(join(tmpdir(), 'meshplane-protos-'));
  try {
    const fresh = join(scratch, 'envoy-api.binpb');
    await run('go', ['run', '.', fresh], { cwd: dir, quiet: true });
    if (!readFileSync(fresh).equals(readFileSync(target))) {
      console.error('protos/envoy-api.binpb is out of date with protos/main.go and go.mod: run npm run gen:protos');
      process.exit(1);
    }
    console.log('protos/envoy-api.binpb matches protos/main.go and go.mod.');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
