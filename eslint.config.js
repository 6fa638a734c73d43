import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// DnsZone, WebSite and Benchmark reach guests only through the endpoints a GuestDomain publishes
// in its status (operator/src/guest/access/endpoints.ts): never through a hypervisor provider, the
// GuestDomain controller's internals or the guest's network spec.
const guestConsumers = ['dnszone', 'website', 'benchmark'].map(
  (c) => `operator/src/controllers/${c}/**/*.ts`,
);
const throughEndpoints = 'read where a guest is reached from status.endpoints (guest/access/endpoints.ts)';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.local/', 'operator/src/api/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  {
    files: guestConsumers,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/providers/**'], message: `no hypervisor provider here: ${throughEndpoints}` },
            { group: ['**/guestdomain/**'], message: `not the GuestDomain controller: ${throughEndpoints}` },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='network'][object.property.name='spec']",
          message: `no spec.network here: ${throughEndpoints}`,
        },
        {
          selector:
            "VariableDeclarator[init.property.name='spec'] > ObjectPattern > Property[key.name='network']",
          message: `no spec.network here: ${throughEndpoints}`,
        },
        {
          selector: "MemberExpression[property.name='hostForwards']",
          message: `no hostForwards here: ${throughEndpoints}`,
        },
      ],
    },
  },
);
