/**
 * Truc's layering, checked on every `npm test` (`npm run layers`). The picture and the reasons are in
 * docs/architecture.md, "Where the code lives"; each rule below names one line of it. From the
 * bottom up:
 *
 *   services/platform/           the bottom: configuration, clients, catalogue, serde, topics and
 *                                the raw-record contract; imports nothing else of Truc
 *   shared by the stages         connectors/runtime/, services/normalizer/mapping/ (the mapping
 *                                rules and key rule), services/source-vocabulary/,
 *                                services/subscriptions/, services/clickhouse/
 *   the sources                  connectors/sources/<id>/: each source's schemas, mapping and
 *                                vocabulary (loaded from the registry by file name); its
 *                                generator.ts is demo code, its examples.ts test data
 *   the stages (engines)         connectors/http-ingest, file, http-poll, clickhouse-sink;
 *                                services/normalizer/, services/fanout/
 *   around the stages            services/api/, operations/, alerts/, schema-registry/, clickhouse-endpoint/,
 *                                audit/, sunset/
 *   demo and tools               services/demo/ (demo feed, demo agency), services/generator/
 *   entry points                 services/main.ts (`npm start`), services/cli/, connectors/main.ts,
 *                                infra/stack/cli.ts
 *   the local stack              infra/stack/: may use platform and the registry's credentials file
 *   tests                        test/: may import anything; nothing imports them
 */

/** A source's renderers for the data generator (`generator.ts`, or `<kind>-generator.ts` beside it). */
const SOURCE_GENERATOR = '^connectors/sources/[^/]+/[a-z-]*generator\\.ts$';

/** The stages, each its own engine: group 1 is the stage's folder. */
const STAGE = '^(connectors/(?:http-ingest|file|http-poll|clickhouse-sink)|services/(?:normalizer|fanout))/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module imports itself through others: a circle has no bottom, so neither half can be understood, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-is-the-bottom',
      severity: 'error',
      comment: 'services/platform imports nothing of Truc outside itself: what it needs from above (the sources\' key rule) is passed in.',
      from: { path: '^services/platform/' },
      to: { path: '^(services/(?!platform/)|connectors/|infra/|test/)' },
    },
    {
      name: 'stages-do-not-import-each-other',
      severity: 'error',
      comment: 'A stage (producer connector, normalizer, ClickHouse sink, fan-out) uses other stages only through the layers below them (platform, connectors/runtime, the mappings, subscriptions).',
      from: { path: STAGE },
      to: { path: STAGE, pathNot: ['^$1/', '^services/normalizer/mapping/'] },
    },
    {
      name: 'mappings-below-the-normalizer',
      severity: 'error',
      comment: 'The sources\' mappings are shared by producers (the raw key) and the normalizer: they never import the normalizer\'s engine.',
      from: { path: '^services/normalizer/mapping/' },
      to: { path: '^services/normalizer/(?!mapping/)' },
    },
    {
      name: 'connectors-use-lower-layers-only',
      severity: 'error',
      comment: 'Connectors and sources use platform, the ClickHouse migrations, the mapping rules and the shared vocabularies; never a service above them (a source\'s generator uses the generator: see below).',
      from: { path: '^connectors/', pathNot: SOURCE_GENERATOR },
      to: { path: '^services/', pathNot: '^services/(platform|clickhouse|normalizer/mapping|source-vocabulary)/' },
    },
    {
      name: 'subscriptions-below-fanout',
      severity: 'error',
      comment: 'Subscriptions (model, store, validation, sequence journal, webhook format) are what the fan-out delivers: the fan-out imports them, not the other way round.',
      from: { path: '^services/subscriptions/' },
      to: { path: '^services/fanout/' },
    },
    {
      name: 'no-demo-code-in-engines',
      severity: 'error',
      comment: 'The demo feed, demo agency and demo receiver are for `npm start` and tests: only the entry points use them.',
      from: { path: '^(services|connectors|infra)/', pathNot: '^services/(main\\.ts$|cli/|demo/)' },
      to: { path: '^services/demo/' },
    },
    {
      name: 'generator-only-for-demo-feed-and-cli',
      severity: 'error',
      comment: 'The data generator is demo and test code: only the demo feed and `truc generate` load it.',
      from: { path: '^(services|connectors|infra)/', pathNot: ['^services/(generator/|cli/|demo/(demo-feed|ingest-poster)\\.ts$)', SOURCE_GENERATOR] },
      to: { path: '^services/generator/' },
    },
    {
      name: 'source-generators-only-for-the-generator',
      severity: 'error',
      comment: 'A source\'s renderers are loaded by the generator (by file name, from the registry) and by tests; nothing else names them, so `npm start` never loads them.',
      from: { path: '^(services|connectors|infra|schemas)/', pathNot: ['^services/generator/', SOURCE_GENERATOR] },
      to: { path: SOURCE_GENERATOR },
    },
    {
      name: 'source-examples-only-for-tests',
      severity: 'error',
      comment: 'A source\'s example records (`examples.ts`) are test data: only tests read them.',
      from: { path: '^(services|connectors|infra|schemas)/', pathNot: '^connectors/sources/[^/]+/[a-z-]*examples?\\.ts$' },
      to: { path: '^connectors/sources/[^/]+/[a-z-]*examples?\\.ts$' },
    },
    {
      name: 'demo-feed-loaded-on-demand',
      severity: 'error',
      comment: '`npm start` loads the demo feed (and with it the generator) only when the feed runs: a dynamic import (or a type, which loads nothing).',
      from: { path: '^(services|connectors|infra)/', pathNot: '^services/demo/' },
      to: { path: '^services/demo/(demo-feed|ingest-poster)\\.ts$', dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'local-stack-only-from-entry-points',
      severity: 'error',
      comment: 'infra/stack is the local stack tool: only the entry points that start it (services/main.ts, the CLI) import it.',
      from: { path: '^(services|connectors)/', pathNot: '^services/(main\\.ts$|cli/)' },
      to: { path: '^infra/' },
    },
    {
      name: 'local-stack-uses-platform-only',
      severity: 'error',
      comment: 'infra/stack uses platform and the registry\'s credentials file, nothing of the pipeline.',
      from: { path: '^infra/' },
      to: { path: '^(services|connectors)/', pathNot: '^services/(platform/|schema-registry/credentials\\.ts$)' },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      comment: 'Benchmarks, tests and their support code stay in test/: nothing outside it imports them.',
      from: { path: '^(services|connectors|infra|schemas)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      comment: 'Every import resolves (a typo or a moved file is caught here as well as by the type check).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7's compiler has no API for tools yet; swc reads the sources instead. It reports
    // type-only imports too, and they count: a layer that names another's types depends on it.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
