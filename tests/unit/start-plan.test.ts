import { describe, expect, it } from 'vitest';
import { processExamples } from '../../api/openapi/process-examples.js';
import { latestDefinition } from '../../machines/registry.js';
import { ProcessSearchAttributes } from '../../workflows/protocol.js';
import { planStart, StartRefusal, type StartSources } from '../../workflows/start-plan.js';

/** A fixed "random" and clock: the plan must depend on nothing else. */
const sources = (overrides: Partial<StartSources> = {}): StartSources => ({
  now: new Date('2026-12-03T09:00:00Z'),
  random: () => 0.5,
  newKey: () => 'key-1',
  keyedHash: (parts) => `hash(${parts.join('|')})`,
  ...overrides,
});

const definition = (type: string) => latestDefinition(type)!;
const exampleInput = (type: string) => processExamples[type]!.input as Record<string, unknown>;

const refusalOf = (plan: () => unknown): StartRefusal => {
  try {
    plan();
  } catch (error) {
    if (error instanceof StartRefusal) return error;
    throw error;
  }
  throw new Error('the start was not refused');
};

describe('planStart', () => {
  it('when an invitation starts, then its business key is the keyed hash of practice and email, never the email', () => {
    const plan = planStart(
      definition('invitation'),
      { origin: 'api', input: { ...exampleInput('invitation'), email: 'Erika@Praxis.Example' } },
      sources(),
    );

    expect(plan.businessKey).toBe(
      `hash(${exampleInput('invitation').practiceId}|erika@praxis.example)`,
    );
    expect(plan.processId).toBe(`invitation-${plan.businessKey}`);
    expect(plan.practiceId).toBe(exampleInput('invitation').practiceId);
    expect(plan.searchAttributes).toEqual([
      { key: ProcessSearchAttributes.type, value: 'invitation' },
      { key: ProcessSearchAttributes.businessKey, value: plan.businessKey },
      { key: ProcessSearchAttributes.practiceId, value: plan.practiceId },
    ]);
  });

  it('when an application starts, then its number is drawn with the given random and clock and written into the input', () => {
    const first = planStart(
      definition('ehbaApplication'),
      { origin: 'api', input: exampleInput('ehbaApplication') },
      sources(),
    );
    const again = planStart(
      definition('ehbaApplication'),
      { origin: 'api', input: exampleInput('ehbaApplication') },
      sources(),
    );
    const other = planStart(
      definition('ehbaApplication'),
      { origin: 'api', input: exampleInput('ehbaApplication') },
      sources({ random: () => 0.1 }),
    );

    expect(first.businessKey).toMatch(/^A-2026-[0-9A-Z]{8}$/);
    expect((first.input as Record<string, unknown>).applicationNumber).toBe(first.businessKey);
    expect(again.businessKey).toBe(first.businessKey);
    expect(other.businessKey).not.toBe(first.businessKey);
  });

  it('when an API caller gives an issued number, then the start is refused naming the field', () => {
    const refusal = refusalOf(() =>
      planStart(
        definition('ehbaApplication'),
        {
          origin: 'api',
          input: { ...exampleInput('ehbaApplication'), applicationNumber: 'A-2026-AAAAAAAA' },
        },
        sources(),
      ),
    );

    expect(refusal.issues).toEqual([
      {
        path: 'input.applicationNumber',
        message: 'must not be given: it is issued when the process starts',
      },
    ]);
  });

  it('when a process gives the number of the process it starts, then that number is kept', () => {
    const plan = planStart(
      definition('ehbaApplication'),
      {
        origin: 'process',
        input: { ...exampleInput('ehbaApplication'), applicationNumber: 'A-2026-AAAAAAAA' },
      },
      sources({ random: () => expect.unreachable('nothing is drawn') }),
    );

    expect(plan.businessKey).toBe('A-2026-AAAAAAAA');
  });

  it('when a caller chooses the business key of a type that derives it, then the start is refused', () => {
    const refusal = refusalOf(() =>
      planStart(
        definition('invitation'),
        { origin: 'api', input: exampleInput('invitation'), businessKey: 'mine' },
        sources(),
      ),
    );

    expect(refusal.issues).toEqual([
      { path: 'businessKey', message: 'must not be given for this process type' },
    ]);
  });

  it('when the input is invalid, then every field error is named under input', () => {
    const refusal = refusalOf(() =>
      planStart(
        definition('invitation'),
        { origin: 'api', input: { ...exampleInput('invitation'), email: 'no-address' } },
        sources(),
      ),
    );

    expect(refusal.detail).toBe('The input of invitation is invalid');
    expect(refusal.issues.map((issue) => issue.path)).toEqual(['input.email']);
  });

  it('when the practice named differs from the input’s, then the start is refused', () => {
    const refusal = refusalOf(() =>
      planStart(
        definition('invitation'),
        { origin: 'api', input: exampleInput('invitation'), practiceId: 'BSNR-999999999' },
        sources(),
      ),
    );

    expect(refusal.issues[0]?.path).toBe('practiceId');
  });

  it('when a process starts a type whose key is a keyed hash, then it is refused: only the API holds the key', () => {
    const refusal = refusalOf(() =>
      planStart(
        definition('invitation'),
        { origin: 'process', input: exampleInput('invitation') },
        sources({ keyedHash: undefined }),
      ),
    );

    expect(refusal.issues[0]?.path).toBe('businessKey');
  });

  it('when a type takes its key from a field of its input, then that field is the key', () => {
    const type = 'nightlyDigest';
    const input = { practiceId: 'BSNR-123456789', digestTime: '07:00' };

    const plan = planStart(definition(type), { origin: 'api', input }, sources());

    expect(plan.businessKey).toBe('BSNR-123456789');
    expect(plan.processId).toBe('nightlyDigest-BSNR-123456789');
  });
});
