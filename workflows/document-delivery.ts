import { runProcess } from './interpreter/index.js';
import type { ProcessArgs, ProcessView } from './interpreter/types.js';

/** Dokument im Arztportal: every machine version a running instance may have started with. */
export async function documentDelivery(args: ProcessArgs): Promise<ProcessView> {
  const [
    { documentDeliveryProcess },
    { documentDeliveryProcessV2 },
    { documentDeliveryProcessV3 },
  ] = await Promise.all([
    import(/* webpackMode: "eager" */ '../machines/document-delivery.js'),
    import(/* webpackMode: "eager" */ '../machines/document-delivery-v2.js'),
    import(/* webpackMode: "eager" */ '../machines/document-delivery-v3.js'),
  ]);
  return runProcess(
    [documentDeliveryProcess, documentDeliveryProcessV2, documentDeliveryProcessV3],
    args,
  );
}
