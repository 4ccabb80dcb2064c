import {
  DEVELOPMENT_ORGANISATIONS,
  type OrganisationId,
  type OrganisationProfile,
  type OrganisationProfiles,
} from '../config/organisations.js';

/** Which organisation speaks for which process type: the seeds' portals. */
export const ORGANISATION_OF_PROCESS: Readonly<Record<string, OrganisationId>> = {
  invitation: 'aok',
  contactVerification: 'kv',
  nightlyDigest: 'kv',
  documentDelivery: 'haevg',
  accountCredentials: 'haevg',
  mtanRegistration: 'haevg',
  ehbaApplication: 'medisign',
  card: 'medisign',
};

/** The profile a process type writes with; a type without one is a programming error. */
export function profileOf(
  profiles: OrganisationProfiles | undefined,
  processType: string,
): OrganisationProfile {
  const id = ORGANISATION_OF_PROCESS[processType];
  if (!id) throw new Error(`No organisation profile for process type ${processType}`);
  return (profiles ?? DEVELOPMENT_ORGANISATIONS)[id];
}
