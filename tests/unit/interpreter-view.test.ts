import { describe, expect, it } from 'vitest';
import { leafPaths, redact } from '../../workflows/interpreter/view.js';

describe('the view of a process', () => {
  it('when states are nested, then the state is the dotted path of the active leaf', () => {
    expect(leafPaths('requested')).toEqual(['requested']);
    expect(leafPaths({ registration: 'invited' })).toEqual(['registration.invited']);
  });

  it('when a parallel state is active, then every region is named, atomic regions included', () => {
    expect(leafPaths({ both: { left: {}, right: 'r1' } })).toEqual(['both.left', 'both.right.r1']);
  });

  it('when context keys hold secrets by name, then they are hidden, at any depth, and only they', () => {
    const context = {
      tokenHash: 'x',
      codeHash: 'x',
      pinHash: 'x',
      downloadToken: 'x',
      pings: 2,
      codename: 'kept',
      person: { email: 'a@b.example', activation_code: 'x', tanAttempts: 1 },
      list: [{ secretKey: 'x', label: 'kept' }],
    };
    expect(redact(context, ['extra'])).toEqual({
      pings: 2,
      codename: 'kept',
      person: { email: 'a@b.example' },
      list: [{ label: 'kept' }],
    });
    expect(redact({ extra: 1, other: 2 }, ['extra'])).toEqual({ other: 2 });
  });
});
