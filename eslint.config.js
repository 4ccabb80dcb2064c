import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.praxisflow/**',
      '.scratch/**',
      'coverage/**',
      'web/dist/**',
      // What benchmarks leave behind, workflow bundles of --profile among them.
      'bench/results/**',
      '*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no Node, no real timers or I/O.
    files: ['machines/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins }],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
    },
  },
  {
    // Machines are pure: time and randomness come from the interpreter and the activities.
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Machines are pure: no randomness.' },
        {
          object: 'Date',
          property: 'now',
          message: 'Machines are pure: time comes from the interpreter.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // `new Date(someTime)` is arithmetic on a given time; only the clock is refused.
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Machines are pure: time comes from the interpreter.',
        },
      ],
    },
  },
);
