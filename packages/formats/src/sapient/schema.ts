/**
 * Loads the SAPIENT BSI Flex 335 v2.0 protobuf definitions (packages/formats/proto/sapient/,
 * copied from the standard) with protobufjs, once, on first use. The folder is found relative
 * to this module, so the same path serves `src/sapient/` and `dist/sapient/`.
 */
import protobuf from 'protobufjs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Protobuf package of the v2.0 messages. */
export const SAPIENT_PACKAGE = 'sapient_msg.bsi_flex_335_v2_0';

/** Folder of the .proto files. */
export const SAPIENT_PROTO_DIR = fileURLToPath(new URL('../../proto/sapient/', import.meta.url));

let root: protobuf.Root | undefined;

/** The loaded protobuf root (cached). Throws if the .proto files are missing (an installation error). */
export function sapientRoot(): protobuf.Root {
  if (root !== undefined) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin: string, target: string): string | null => {
    // Validation options only, not shipped with the standard's files: skip (see proto/sapient/README.md).
    if (target.endsWith('proto_options.proto')) return null;
    if (target.startsWith('google/protobuf/')) return target; // bundled with protobufjs
    return join(SAPIENT_PROTO_DIR, basename(target));
  };
  r.loadSync('sapient_message.proto', { keepCase: false });
  r.resolveAll();
  root = r;
  return r;
}

/** A message type of the v2.0 package, e.g. `SapientMessage`. */
export function sapientType(name: string): protobuf.Type {
  return sapientRoot().lookupType(`${SAPIENT_PACKAGE}.${name}`);
}
