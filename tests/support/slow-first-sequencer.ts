import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files, most of them waiting (a fuzzer, an activity timeout after a SIGKILLed
 * worker, an SMTP outage, a browser): started first, so that the other files run beside them instead of after.
 * Vitest sorts by the durations of the last run when it has them; a fresh clone has none.
 */
const SLOW_FIRST = [
  'tests/api/fuzz.test.ts',
  'tests/api/worker-crash.test.ts',
  'tests/api/smtp-outage.test.ts',
  'tests/api/read-model.test.ts',
  'tests/api/dashboard.test.ts',
  'tests/api/ehba-application-api.test.ts',
  'tests/api/documents-api.test.ts',
  'tests/workflows/timers-during-start.test.ts',
];

const rank = (spec: TestSpecification): number => {
  const index = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
  return index === -1 ? SLOW_FIRST.length : index;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted
      .map((spec, position) => ({ spec, position }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.position - b.position)
      .map(({ spec }) => spec);
  }
}
