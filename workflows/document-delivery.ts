import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Dokument im Arztportal: every machine version a running instance may have started with. */
export async function documentDelivery(args: ProcessArgs): Promise<ProcessView> {
  const { documentDeliveryProcess } = await import(
    /* webpackMode: "eager" */ '../machines/document-delivery.js'
  );
  return runProcess([documentDeliveryProcess], args);
}
