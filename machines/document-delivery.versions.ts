import { documentDeliveryProcess } from './document-delivery.js';
import { documentDeliveryProcessV2 } from './document-delivery-v2.js';
import { documentDeliveryProcessV3 } from './document-delivery-v3.js';

/**
 * Dokument im Arztportal: every machine version a running instance may have, oldest first.
 * The registry and the workflow read this one list; a new version is added here.
 */
export const documentDeliveryVersions = [
  documentDeliveryProcess,
  documentDeliveryProcessV2,
  documentDeliveryProcessV3,
] as const;
