// @ts-check
// The import rules of docs/architecture.md ("Modules and dependency direction"), checked over the
// import graph dpdm parses with the project's tsconfig: no import cycles anywhere, and the layers of
// src/ point one way. Type-only imports count: a cycle of types still ties two files' designs together.
// Used by `npm run check` and by test/architecture/import-graph.test.ts, so CI's `npm test` fails too.
import { parseCircular, parseDependencyTree } from 'dpdm';

/** @typedef {import('dpdm').DependencyTree} DependencyTree */
/** @typedef {import('dpdm').Dependency} Dependency */

/** Generated code (the Prisma client) is not ours to restructure; its own cycles are left out. */
const GENERATED = 'src/generated/';

/**
 * The import graph of the project's code (src/, and the tests, scripts and benchmarks, which the
 * layer rules leave alone but which must not have cycles either), paths relative to `root`.
 * @param {string} root
 * @returns {Promise<DependencyTree>}
 */
export function importGraph(root) {
  return parseDependencyTree(['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.{ts,mjs}'], {
    cwd: root,
    context: root,
    tsconfig: 'tsconfig.json',
    transform: false,
    skipDynamicImports: false,
  });
}

/**
 * Every import cycle, each as the files along it, outside generated code.
 * @param {DependencyTree} tree
 * @returns {string[][]}
 */
export function importCycles(tree) {
  return parseCircular(tree).filter((cycle) => !cycle.every((file) => file.startsWith(GENERATED)));
}

const NEST = /^@nestjs\//;
const PRISMA = /^(@prisma\/|prisma$)/;
/** Packages and Node modules that reach outside the process: the translator must not import them. */
const IO =
  /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|cluster)$|^(ioredis|pg|bullmq|fastify|@grpc\/.*)$/;
/** Node modules the IO pattern names that the translator still imports, for a pure function: `node:net` for `isIP`. */
const TRANSLATOR_ALLOWED_NODE = new Set(['node:net']);

/**
 * @typedef {object} Rule
 * @property {string} name  what a newcomer reads when the rule fails
 * @property {(file: string) => boolean} applies  the importing files the rule constrains
 * @property {(dep: Dependency) => boolean} forbidden  an import those files must not have
 * @property {boolean} [transitive]  also apply to every src/ file those files reach
 */

/** @param {string} prefix */
const under = (prefix) => (/** @type {string} */ file) => file.startsWith(prefix);
/** @param {Dependency} dep */
const inSrc = (dep) => dep.id !== null && dep.id.startsWith('src/');
/** @param {Dependency} dep */
const external = (dep) => dep.id === null || !dep.id.startsWith('src/');
const TRANSPORT = /\.(controller|resolver)\.ts$/;
/** Nest modules wire transports in; entry files boot them. */
const WIRING = /(\.module\.ts|^src\/main(\.\w+)?\.ts|^src\/run-roles\.ts)$/;
const TRANSLATOR = 'src/xds-fleet/translator/';
/** @param {string} file */
const isSpec = (file) => file.endsWith('.spec.ts');

/** @type {Rule[]} */
export const LAYER_RULES = [
  {
    name: 'src/common imports no Nest and no Prisma',
    applies: under('src/common/'),
    forbidden: (dep) => external(dep) && (NEST.test(dep.request) || PRISMA.test(dep.request)),
  },
  {
    name: 'src/common imports nothing else from src/ (it is the kernel every layer builds on)',
    applies: under('src/common/'),
    forbidden: (dep) => inSrc(dep) && !dep.id?.startsWith('src/common/'),
  },
  {
    name: 'src/config imports only src/common from src/',
    applies: under('src/config/'),
    forbidden: (dep) => inSrc(dep) && !/^src\/(common|config)\//.test(dep.id ?? ''),
  },
  {
    name: 'src/platform imports no domain module (tenants, meshes, xds-fleet)',
    applies: under('src/platform/'),
    forbidden: (dep) => inSrc(dep) && !/^src\/(common|config|platform|generated)\//.test(dep.id ?? ''),
  },
  {
    name: 'only Nest modules and entry files import a transport (controller, resolver)',
    applies: (file) => file.startsWith('src/') && !WIRING.test(file) && !TRANSPORT.test(file),
    forbidden: (dep) => inSrc(dep) && TRANSPORT.test(dep.id ?? ''),
  },
  {
    name: 'the translator (and all it imports) uses no Nest, no Prisma, no platform adapter and no I/O',
    applies: (file) => file.startsWith(TRANSLATOR) && !isSpec(file),
    transitive: true,
    forbidden: (dep) =>
      (external(dep) &&
        (NEST.test(dep.request) ||
          PRISMA.test(dep.request) ||
          (IO.test(dep.request) && !TRANSLATOR_ALLOWED_NODE.has(dep.request)))) ||
      (inSrc(dep) && /^src\/(generated|platform|config)\//.test(dep.id ?? '')),
  },
];

/**
 * Every import that breaks a rule, as `rule: file imports request`.
 * @param {DependencyTree} tree
 * @param {readonly Rule[]} [rules]
 * @returns {string[]}
 */
export function layerViolations(tree, rules = LAYER_RULES) {
  const problems = [];
  for (const rule of rules) {
    const files = Object.keys(tree).filter(rule.applies);
    for (const file of rule.transitive ? reachable(tree, files) : files) {
      for (const dep of tree[file] ?? []) {
        if (rule.forbidden(dep)) problems.push(`${rule.name}: ${file} imports ${dep.request}`);
      }
    }
  }
  return problems;
}

/**
 * The files `start` reaches through src/ imports, `start` included.
 * @param {DependencyTree} tree
 * @param {readonly string[]} start
 */
function reachable(tree, start) {
  const seen = new Set(start);
  const queue = [...start];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const dep of tree[file] ?? []) {
      if (dep.id !== null && dep.id.startsWith('src/') && !seen.has(dep.id)) {
        seen.add(dep.id);
        queue.push(dep.id);
      }
    }
  }
  return [...seen];
}

/**
 * The check `npm run check` runs: throws listing every cycle and every broken layer rule.
 * @param {string} root
 */
export async function checkImports(root) {
  const tree = await importGraph(root);
  const problems = [
    ...importCycles(tree).map((cycle) => `import cycle: ${[...cycle, cycle[0]].join(' -> ')}`),
    ...layerViolations(tree),
  ];
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`  ${problem}\n`);
    throw new Error(`${problems.length} import problem(s)`);
  }
}
