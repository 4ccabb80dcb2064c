import { MESSAGE_CHANNELS } from '../../machines/message-channels.js';
import type { Effect } from './effects.js';
import type { PreviewEffect } from './types.js';

/**
 * What a step would set going, for a what-if preview: its activities and follow-up processes
 * by name, with the message template and channel where the action names them — never the
 * params themselves (addresses, names, codes).
 */
export function previewEffects(effects: readonly Effect[]): PreviewEffect[] {
  return effects.flatMap((effect): PreviewEffect[] => {
    if (effect.kind === 'startProcess') return [{ kind: 'startProcess', name: effect.params.type }];
    // An invoked actor runs as the activity of its name; its input stays out like params do.
    if (effect.kind === 'invoke') return [{ kind: 'activity', name: effect.src }];
    if (effect.kind !== 'activity') return [];
    const params = (effect.params ?? {}) as Record<string, unknown>;
    const to = params.to as { channel?: unknown } | null | undefined;
    const named = [params.channel, to?.channel].find(
      (candidate): candidate is string => typeof candidate === 'string',
    );
    const channel =
      named ??
      (Object.hasOwn(MESSAGE_CHANNELS, effect.name) ? MESSAGE_CHANNELS[effect.name] : undefined);
    return [
      {
        kind: 'activity',
        name: effect.name,
        ...(typeof params.template === 'string' ? { template: params.template } : {}),
        ...(channel ? { channel } : {}),
      },
    ];
  });
}
