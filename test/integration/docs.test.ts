// The documentation describes what exists. README.md and docs/ must not claim work in progress
// ("being built", "not yet implemented"): what exists is described as it is, and what does not is
// called planned. Links between the documents must lead somewhere: relative links to files that
// exist, and #anchors to headings of the target.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/processes.js';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const documents = [join(REPO_ROOT, 'README.md'), ...markdownFiles(join(REPO_ROOT, 'docs'))];
const rel = (path: string) => relative(REPO_ROOT, path);

/** Text outside fenced code blocks and inline code: prose and links only. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/**
 * Phrases that present unbuilt work as underway. ADRs are dated records and may say what was
 * missing when they were written, so they are left out of this check (not of the link check).
 */
const IN_PROGRESS =
  /\b(?:(?:is|are|still) being (?:built|written|implemented|worked on)|not (?:yet )?(?:built|implemented) yet|not yet (?:built|implemented|supported|wired|done|available)|being built next|coming soon|work in progress|to be implemented|TODO|WIP|TBD)\b/i;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = slug(m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

describe('README.md and docs/', () => {
  it('claim no work in progress', () => {
    const claims = documents
      .filter((file) => !rel(file).startsWith('docs/adr/'))
      .flatMap((file) =>
        prose(readFileSync(file, 'utf8'))
          .split('\n')
          .flatMap((line, i) => (IN_PROGRESS.test(line) ? [`${rel(file)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(claims).toEqual([]);
  });

  it('catch the phrases the check is for', () => {
    for (const claim of [
      'Being built next: the xDS service',
      'ADS is still being built.',
      'Per-proxy ports are not yet implemented.',
      'EC2 discovery is not built yet.',
    ])
      expect(claim).toMatch(IN_PROGRESS);
    for (const fine of ['EC2 discovery is planned.', 'A revoked token opens no new stream yet to come.'])
      expect(fine).not.toMatch(IN_PROGRESS);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of documents) {
      const text = readFileSync(file, 'utf8');
      for (const m of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
        const [path = '', anchor] = target.split('#');
        const resolved = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
        if (!existsSync(resolved)) {
          broken.push(`${rel(file)}: ${target} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor))
          broken.push(`${rel(file)}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
