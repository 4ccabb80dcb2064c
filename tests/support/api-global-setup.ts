import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflows } from '../../worker/worker.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    apiWorkflowBundlePath: string;
  }
}

/** Bundles the real workflows once for every API test file's worker (seconds each, otherwise). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'praxisflow-api-bundle-'));
  const { code } = await bundleWorkflows();
  const path = join(dir, 'workflow-bundle.js');
  await writeFile(path, code);
  project.provide('apiWorkflowBundlePath', path);
  return () => rm(dir, { recursive: true, force: true });
}
