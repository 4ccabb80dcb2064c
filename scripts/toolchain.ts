/**
 * The external tools praxisflow needs, installed on first use and cached in
 * ~/.cache/praxisflow (PRAXISFLOW_CACHE overrides):
 *  - the Temporal CLI (dev server for `npm start` and the tests), built with `go install`;
 *  - the Temporal time-skipping test server (Java), fetched with mvn, behind a wrapper script;
 *  - schemathesis (Python, PyPI) in a venv of its own: the fuzzer of the HTTP API.
 * `npm run toolchain` installs/checks both; later runs only check (well under a second).
 */
import { log, since } from './lib/log.js';
import { isMain } from './lib/main.js';
import { ensureSchemathesis, type SchemathesisPin } from './lib/schemathesis.js';
import { ensureTemporalCli, type TemporalCliPin } from './lib/temporal-cli.js';
import { ensureTestServer, type TestServerPin } from './lib/test-server.js';

/**
 * v1.5.1 is the last tag that builds with `go install` (later ones carry `replace` directives
 * in go.mod). Before moving on, check the new tag's go.mod for `replace` and its `go` line.
 */
export const TEMPORAL_CLI: TemporalCliPin = {
  module: 'github.com/temporalio/cli',
  command: 'cmd/temporal',
  version: 'v1.5.1',
  minGo: '1.25',
};

/** io.temporal:temporal-test-server on Maven Central. */
export const TEST_SERVER: TestServerPin = { version: '1.38.0' };

/** schemathesis on PyPI. */
export const SCHEMATHESIS: SchemathesisPin = { version: '4.32.5' };

export interface Toolchain {
  /** The `temporal` binary (`temporal server start-dev …`). */
  temporalBin: string;
  /** Wrapper script for TestWorkflowEnvironment.createTimeSkipping (TEMPORAL_TEST_SERVER_PATH). */
  testServerPath: string;
  /** The API fuzzer (SCHEMATHESIS_PATH). */
  schemathesisPath: string;
}

export interface ToolchainOptions {
  /** Print nothing when everything is already installed. Installing always reports progress. */
  quiet?: boolean;
}

/** Only the Temporal CLI (what `npm start` needs). */
export function ensureTemporal(options: ToolchainOptions = {}): Promise<string> {
  return ensureTemporalCli(TEMPORAL_CLI, options.quiet);
}

export async function ensureToolchain(options: ToolchainOptions = {}): Promise<Toolchain> {
  const temporalBin = await ensureTemporal(options);
  const testServerPath = await ensureTestServer(TEST_SERVER, options.quiet);
  const schemathesisPath = await ensureSchemathesis(SCHEMATHESIS, options.quiet);
  return { temporalBin, testServerPath, schemathesisPath };
}

if (isMain(import.meta.url)) {
  const start = performance.now();
  try {
    const toolchain = await ensureToolchain();
    log.ok(`toolchain ready in ${since(start)}`);
    log.info(`TEMPORAL_BIN=${toolchain.temporalBin}`);
    log.info(`TEMPORAL_TEST_SERVER_PATH=${toolchain.testServerPath}`);
    log.info(`SCHEMATHESIS_PATH=${toolchain.schemathesisPath}`);
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
