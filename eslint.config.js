// Lint: typescript-eslint's recommended rules, plus the one architectural rule the build cannot see: the agent
// and the collector never import each other; they share only the generated protocol code in proto/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (other) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: [`**/${other}/**`, `${other}/**`],
          message: `agent and collector never import each other; share code only through proto/`,
        },
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'proto/generated/', 'coverage/', '.demo/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['agent/**/*.ts'], rules: boundary('collector') },
  { files: ['collector/**/*.ts'], rules: boundary('agent') },
);
