import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows } from '../../worker/worker.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath: string;
  }
}

/** Bundles the workflow code once for every workflow test file (about 3 MB, seconds to build). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'praxisflow-bundle-'));
  const workflowsPath = fileURLToPath(new URL('../fixtures/workflows.ts', import.meta.url));
  const { code } = await bundleWorkflows(workflowsPath);
  const path = join(dir, 'workflow-bundle.js');
  await writeFile(path, code);
  project.provide('workflowBundlePath', path);
  return () => rm(dir, { recursive: true, force: true });
}
