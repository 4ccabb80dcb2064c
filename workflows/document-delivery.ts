import { documentDeliveryProcess } from '../machines/document-delivery.js';
import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Dokument im Arztportal: every machine version a running instance may have started with. */
export async function documentDelivery(args: ProcessArgs): Promise<ProcessView> {
  return runProcess([documentDeliveryProcess], args);
}
