import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Dokument im Arztportal: runs whichever of its versions the instance started with. */
export async function documentDelivery(args: ProcessArgs): Promise<ProcessView> {
  const { documentDeliveryVersions } = await import(
    /* webpackMode: "eager" */ '../machines/document-delivery.versions.js'
  );
  return runProcess(documentDeliveryVersions, args);
}
