import type { MachineDescription } from './api.js';

/**
 * What operators call a state: its German label; a phase of a labelled parent without a label
 * of its own as „Parent – description“ („Bearbeitung beendet – erinnert nach 21 Tagen“);
 * otherwise its key.
 */
export function stateName(machine: MachineDescription | undefined, id: string): string {
  const state = machine?.states.find((candidate) => candidate.id === id);
  if (state?.label) return state.label;
  const parentId = id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : null;
  const parent = parentId ? stateName(machine, parentId) : null;
  const own =
    state?.description && state.description.length <= 40 ? state.description : id.split('.').pop()!;
  return parent ? `${parent} – ${own}` : own;
}
