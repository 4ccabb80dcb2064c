import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

/**
 * The whole HTTP API fuzzed from its own OpenAPI document by schemathesis (installed by the test
 * toolchain from PyPI): examples, boundary values, broken and hostile inputs and sequences of
 * calls, against the real API, worker, Temporal and Postgres. Not one answer may be a 5xx, and
 * every answer must be one the document lists.
 */

const SCHEMATHESIS = process.env.SCHEMATHESIS_PATH;
const REPORTS = fileURLToPath(new URL('../../test-artifacts/fuzz/', import.meta.url));

let api: ApiStack;

beforeAll(async () => {
  if (!SCHEMATHESIS || !existsSync(SCHEMATHESIS)) {
    throw new Error('SCHEMATHESIS_PATH is not set or missing: run the tests with `npm test`');
  }
  // The deployment's own limits (120 writes a minute per key, 60 at once): a 429 is a
  // documented answer, and a worker on 2 cores is not flooded with thousands of processes.
  // A namespace of its own: the example ids of the document (the practice BSNR-123456789, say)
  // are used by other test files too, whose processes would answer here without a worker.
  api = await startApiStack({ namespace: `fuzz-${randomBytes(4).toString('hex')}` });
  mkdirSync(REPORTS, { recursive: true });
});

afterAll(async () => {
  await api?.stop();
});

function fuzz(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Its cache (.schemathesis/) goes with the reports, not into the repository.
    const child = spawn(SCHEMATHESIS!, args, {
      cwd: REPORTS,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('the HTTP API under a schema-driven fuzzer', () => {
  it('answers every generated request without a 5xx and with a documented status', async () => {
    const { code, output } = await fuzz([
      'run',
      `${api.baseUrl}/api/v1/openapi.json`,
      '--header',
      `Authorization: Bearer ${api.adminKey}`,
      '--checks',
      'not_a_server_error,status_code_conformance',
      // Examples, boundary values (coverage) and random inputs; the stateful phase (chains of
      // calls) takes minutes and adds processes, not new kinds of input.
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '10',
      '--request-timeout',
      '30',
      // The multipart upload has a binary part the fuzzer cannot build; tests/api/documents-api
      // sends it broken, too large, of the wrong type and with a wrong checksum.
      '--exclude-operation-id',
      'uploadDocument',
      // The event stream ends only after its `limit` or `timeout`: a generated request without
      // them would hold a connection open until the fuzzer's timeout. tests/api/event-stream
      // calls it, and the contract test with its documented example.
      '--exclude-operation-id',
      'streamEvents',
      '--seed',
      '20261130',
      '--max-time',
      '120',
      '--warnings',
      'off',
      '--report',
      'junit',
      '--report-dir',
      REPORTS,
    ]);
    const summary = output.slice(output.lastIndexOf('SUMMARY'));
    expect(code, output.slice(-6000)).toBe(0);
    expect(summary).toMatch(/Test cases:\s+\d+ generated, \d+ passed/);
    expect(summary).not.toMatch(/Server error|Schema Error/);
  }, 300_000);
});
