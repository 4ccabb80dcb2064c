/** The layer boundaries of praxisflow, checked in `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'machines-are-pure',
      comment: 'machines/ imports only xstate, zod and other machines.',
      severity: 'error',
      from: { path: '^machines/' },
      to: { pathNot: ['^machines/', '^node_modules/(xstate|zod)/'] },
    },
    {
      name: 'workflows-import-machines-and-activity-types',
      comment: 'workflows/ imports machines/, the Temporal workflow API, and activity types only.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: [
          '^machines/',
          '^workflows/',
          '^node_modules/(xstate|zod|@temporalio/(workflow|common))/',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'clients-use-the-published-protocol',
      comment:
        'Outside workflows/, the interpreter is reached only through workflows/protocol.ts ' +
        '(definitions, views, refusal kinds, search attributes, the process id rule). Tests may ' +
        'look inside: they test the interpreter itself.',
      severity: 'error',
      from: {
        path: '^(api|activities|db|storage|scripts|bench|worker|codec|config|observability|web)/',
      },
      to: { path: '^workflows/interpreter/' },
    },
    {
      name: 'api-not-into-activities-or-worker',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^(activities|worker)/' },
    },
    {
      name: 'only-the-entry-point-imports-api',
      severity: 'error',
      from: { pathNot: ['^api/', '^tests/', '^scripts/', '^bench/'] },
      to: { path: '^api/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
