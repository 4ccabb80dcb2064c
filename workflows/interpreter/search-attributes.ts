import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

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
