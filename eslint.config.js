// One type-aware lint configuration for the whole workspace.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const WEB = './packages/web/src';

/** Each folder under `dir` (relative to the repository root). */
const foldersIn = (dir) =>
  readdirSync(new URL(dir, import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

/**
 * Which code may not import which: import-x's no-restricted-paths zones, paths from the
 * repository root; a file under `target` may not import one under `from` (minus `except`).
 * Add a package's boundaries here.
 */
const boundaries = [
  // The web app's imports run shared (components/, lib/) → features → app, never between
  // features: what two features need lives in components/ or lib/.
  ...foldersIn(`${WEB}/features`).map((feature) => ({
    target: `${WEB}/features/${feature}`,
    from: `${WEB}/features`,
    except: [`./${feature}`],
    message: 'A feature does not import another one: move what they share to components/ or lib/.',
  })),
  {
    target: [`${WEB}/components`, `${WEB}/lib`],
    from: [`${WEB}/features`, `${WEB}/app`],
    message: 'Shared code (components/, lib/) imports no feature and not the app.',
  },
  {
    target: `${WEB}/features`,
    from: `${WEB}/app`,
    message: 'The app composes features; a feature does not import the app.',
  },
];

/** Frameworks and adapters' libraries, which the policy layers of orders-api do not import. */
const FRAMEWORKS =
  '^(@apollo|@as-integrations|@envelop|@escape\\.tech|@graphql-yoga|@opentelemetry|drizzle-orm|express|graphql|graphql-ws|pino|postgres|type-graphql|ws|@oms/database|@oms/telemetry)(/|$)';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.data/**',
      '**/drizzle/**',
      '**/test-results/**',
      '**/playwright-report/**',
      // Written by GraphQL Code Generator; build/graphql-codegen.ts checks them against the schema.
      'packages/web/src/lib/graphql/generated/**',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      // A leading underscore marks what a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Sources import each other as `./file.js`, which TypeScript maps to file.ts or file.tsx.
      'import-x/resolver-next': [
        importX.createNodeResolver({
          extensions: ['.ts', '.tsx', '.js'],
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: boundaries },
      ],
    },
  },
  {
    files: ['packages/web/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['packages/web/**/*.tsx'],
    rules: {
      // `onClick={() => send(...)}` is the idiom for event handlers; the return value is unused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  // orders-api in layers: the domain imports no framework and no adapter; storage and the
  // worker know nothing of the transports; nothing reaches the composition root.
  {
    files: ['packages/orders-api/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../domain'],
              message: 'The domain imports no adapter (auth, persistence, graphql, http...).',
            },
            {
              regex: FRAMEWORKS,
              message: 'The domain imports no framework: take what it needs as a port.',
            },
          ],
        },
      ],
    },
  },
  // Admission control is policy: it is handed its signals and imports no adapter or framework.
  {
    files: ['packages/orders-api/src/admission/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../admission'],
              message: 'Admission control imports no adapter: pass it what it needs.',
            },
            { regex: FRAMEWORKS, message: 'Admission control imports no framework.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'packages/orders-api/src/persistence/**/*.ts',
      'packages/orders-api/src/worker/**/*.ts',
      'packages/orders-api/src/events/**/*.ts',
      'packages/orders-api/src/auth/**/*.ts',
      'packages/orders-api/src/observability/**/*.ts',
      'packages/orders-api/src/payments/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../graphql/*', '../http/*', '../app.js', '../main.js'],
              message:
                'Only the transports and the composition root import the GraphQL and HTTP adapters.',
            },
          ],
        },
      ],
    },
  },
);
