import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
} from '@temporalio/common';

/**
 * Search attributes every process carries. Workflow ids and search attributes are not
 * encrypted by the payload codec, so none of these may hold personal data.
 */
export const ProcessSearchAttributes = {
  type: defineSearchAttributeKey('ProcessType', SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey('ProcessState', SearchAttributeType.KEYWORD),
  businessKey: defineSearchAttributeKey('BusinessKey', SearchAttributeType.KEYWORD),
  practiceId: defineSearchAttributeKey('PracticeId', SearchAttributeType.KEYWORD),
} as const;

/** What a process carries from its start: its type, business key and practice, if any. */
export function startSearchAttributes(
  type: string,
  businessKey: string,
  practiceId: string | undefined,
): SearchAttributePair[] {
  return [
    { key: ProcessSearchAttributes.type, value: type },
    { key: ProcessSearchAttributes.businessKey, value: businessKey },
    ...(practiceId ? [{ key: ProcessSearchAttributes.practiceId, value: practiceId }] : []),
  ];
}
