import { setup } from 'xstate';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { isSealed, schemaForPayload, secret, secretKeysOf } from '../../machines/secrets.js';
import { sealSecretFields, secretSealer } from '../../storage/sealed-secrets.js';
import { checkEvent } from '../../workflows/interpreter/validation.js';
import { startingView } from '../../workflows/protocol.js';

/**
 * The one mechanism for secrets typed by people: a schema marks a field `secret(...)`, the API
 * checks the clear value and seals it, the workflow takes the sealed form, the activity opens it.
 */
const sealer = secretSealer('unit-test-code-secret-unit-test-code-secret');

const pinSchema = z
  .object({
    pin: secret(z.string().regex(/^\d{6}$/)),
    pinConfirmation: secret(z.string()),
    note: z.string().optional(),
  })
  .refine(({ pin, pinConfirmation }) => pin === pinConfirmation, { path: ['pinConfirmation'] });

/** A card-like input with a Kennwort, as another process will declare it. */
const inputSchema = z.object({
  holder: z.string().min(1),
  activationPassword: secret(z.string().min(8).max(64)).optional(),
});

const machine = setup({
  types: { context: {} as { holder: string; activationPassword?: string } },
}).createMachine({
  id: 'sealedProbe',
  initial: 'waiting',
  context: ({ input }) => input as never,
  states: {
    waiting: { meta: { label: 'Wartet' }, on: { PIN_SET: { target: 'done' } } },
    done: { type: 'final', meta: { label: 'Fertig' } },
  },
});

const definition: ProcessDefinition = {
  type: 'sealedProbe',
  version: 1,
  title: 'Probe',
  machine,
  input: inputSchema,
  events: { PIN_SET: pinSchema },
};

describe('secret fields', () => {
  it('when a schema marks fields secret, then they are found, optional ones too, and no others', () => {
    expect(secretKeysOf(pinSchema)).toEqual(['pin', 'pinConfirmation']);
    expect(secretKeysOf(inputSchema)).toEqual(['activationPassword']);
    expect(secretKeysOf(z.object({ pin: z.string() }))).toEqual([]);
  });

  it('when a value is sealed, then only the same secret opens it; a tampered or foreign one opens to null', () => {
    const sealed = sealer.seal('275913');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('275913');
    expect(sealer.seal('275913')).not.toBe(sealed);
    expect(sealer.open(sealed)).toBe('275913');
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1)}`;
    expect(sealer.open(flipped)).toBeNull();
    expect(secretSealer('another-deployment-secret-another-one').open(sealed)).toBeNull();
    // An event taken before sealing, still in a running process's history.
    expect(sealer.open('275913')).toBe('275913');
  });

  it('when the API seals a payload, then the secret fields are sealed and the rest is kept', () => {
    const sealed = sealSecretFields(
      pinSchema,
      { pin: '275913', pinConfirmation: '275913', note: 'kept' },
      sealer,
    );
    expect(sealed.note).toBe('kept');
    expect(isSealed(sealed.pin)).toBe(true);
    expect(sealer.open(sealed.pinConfirmation)).toBe('275913');
  });

  it('when the workflow checks a sealed event, then the sealed form passes and a half-sealed one is refused', () => {
    const snapshot = machine.resolveState({ value: 'waiting', context: { holder: 'Ada' } });
    const sealed = sealSecretFields(
      pinSchema,
      { pin: '275913', pinConfirmation: '275913' },
      sealer,
    );
    expect(checkEvent(definition, snapshot, { type: 'PIN_SET', ...sealed }).parsed).toMatchObject({
      pin: sealed.pin,
    });
    expect(() =>
      checkEvent(definition, snapshot, { type: 'PIN_SET', pin: sealed.pin, pinConfirmation: 'x' }),
    ).toThrow(/invalid/);
    // A recorded clear event still replays with the schema as it is.
    expect(
      checkEvent(definition, snapshot, {
        type: 'PIN_SET',
        pin: '275913',
        pinConfirmation: '275913',
      }).parsed,
    ).toMatchObject({ pin: '275913' });
    expect(schemaForPayload(pinSchema, 'not an object')).toBe(pinSchema);
  });

  it('when an input carries a sealed secret, then the start takes it sealed, never in the clear', () => {
    const input = sealSecretFields(
      inputSchema,
      { holder: 'Ada', activationPassword: 'Kennwort-2026' },
      sealer,
    );
    const view = startingView(
      definition,
      {
        input,
        version: 1,
        businessKey: 'probe',
        actor: 'key-test',
        startedAt: '2026-12-03T10:00:00.000Z',
      },
      'sealedProbe-probe',
    );
    expect(view.state).toBe('waiting');
    expect(JSON.stringify(view)).not.toContain('Kennwort-2026');
    expect(JSON.stringify(view)).not.toContain('sealed:v1:');
  });
});
