// The engine's layers, held by `npm run lint` (depcruise). Each layer imports only the layers
// below it (type-only imports too: an upward type is an upward dependency); no import cycles.
// README "Architecture" has the table this encodes.
/** Bottom to top. A folder may import its own layer and any layer before it. */
const LAYERS = [
  ['contract', ['core/contract']],
  ['base', ['core/base']],
  ['engine', ['core/engine']],
  ['stores', ['core/stores']],
  ['models', ['core/models']],
  ['knowledge', ['core/knowledge']],
  ['business', ['core/business']],
  ['assistant', ['core/assistant']],
  ['operations', ['core/operations']],
  ['startup', ['core/startup']],
  ['api', ['core/api']],
  ['carriers', ['core/cli', 'core/server', 'electron/engine-host']],
];

const folderRe = (folders) => `^(${folders.join('|')})/`;
const PRODUCTION = '^(core|electron|renderer|bin)/';
const TEST_FILE = '\\.test\\.tsx?$';

const above = (name) => LAYERS.slice(LAYERS.findIndex(([n]) => n === name) + 1);
const layerRules = LAYERS.slice(0, -1).map(([name, folders], i) => ({
  name: `layer-${name}`,
  comment: `core layer "${name}" imports only the layers below it: ${
    LAYERS.slice(0, i)
      .map(([n]) => n)
      .join(', ') || 'zod only'
  }`,
  severity: 'error',
  from: { path: folderRe(folders), pathNot: TEST_FILE },
  // The engine kernel names the store and model types an engine holds: type-only, checked below.
  to: { path: folderRe((name === 'engine' ? above('models') : above(name)).flatMap(([, f]) => f)) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'production code has no import cycles (type-only imports count)',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_FILE },
      to: { circular: true, viaOnly: { pathNot: TEST_FILE } },
    },
    {
      name: 'contract-is-a-leaf',
      comment: 'core/contract (the wire: methods, envelope, protocol, client) imports only zod',
      severity: 'error',
      from: { path: '^core/contract/', pathNot: TEST_FILE },
      to: { pathNot: ['^core/contract/', '(^|/)node_modules/zod/'] },
    },
    ...layerRules,
    {
      name: 'engine-kernel-holds-types-only',
      comment:
        'core/engine names the stores and models an engine holds, as types only (no code runs from there)',
      severity: 'error',
      from: { path: '^core/engine/', pathNot: TEST_FILE },
      to: { path: folderRe(['core/stores', 'core/models']), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ui-sees-only-the-contract',
      comment: 'renderer/ talks to the engine only through the typed client in core/contract',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(core|electron|bin|test|bench|scripts)/', pathNot: '^core/contract/' },
    },
    {
      name: 'electron-main-and-preload-are-thin',
      comment:
        'electron main/preload see the engine only through core/contract (plus the two helpers that serve the UI files)',
      severity: 'error',
      from: { path: '^electron/(main|preload)/', pathNot: TEST_FILE },
      to: {
        path: '^(core|renderer|bin|test|bench|scripts|electron/engine-host)/',
        pathNot: ['^core/contract/', '^core/server/(csp|static-files)\\.ts$'],
      },
    },
    {
      name: 'core-is-plain-node',
      comment: 'core/ never imports electron, react, renderer/ or electron/',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: ['^(renderer|electron)/', '(^|/)node_modules/(electron|react|react-dom)/'] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'test/ (support code included) is never imported by what ships',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: TEST_FILE },
      to: { path: ['^test/', '^bench/', '^scripts/', TEST_FILE] },
    },
    {
      name: 'tools-use-test-support-only',
      comment: 'bench/ and scripts/ may use test/support/, never test files or other test helpers',
      severity: 'error',
      from: { path: '^(bench|scripts)/' },
      to: { path: '^test/', pathNot: '^test/support/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|build|dist|\\.fixtures|scratch)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
    skipAnalysisNotInRules: false,
  },
};
