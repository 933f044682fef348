/**
 * BSI Flex 335 v2.0 marks the fields a message must carry with the field option
 * `(field_options).is_mandatory` in its .proto files. This reads those marks from the loaded
 * definitions (schema.ts keeps the options although it skips proto_options.proto) and lists
 * the mandatory fields a decoded message lacks, recursively through the sub-messages it has.
 */
import type protobuf from 'protobufjs';
import { sapientType } from './schema.js';

const MANDATORY = '(field_options).is_mandatory';

function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v !== '';
  return true;
}

function walk(type: protobuf.Type, obj: Record<string, unknown>, path: string, out: string[]): void {
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    const where = path === '' ? f.name : `${path}.${f.name}`;
    if (f.options?.[MANDATORY] === true && !present(v)) {
      out.push(where);
      continue;
    }
    const sub = f.resolvedType;
    if (sub === null || !('fieldsArray' in sub) || !present(v)) continue;
    if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'object' && x !== null && walk(sub as protobuf.Type, x as Record<string, unknown>, `${where}[${i}]`, out));
    else if (typeof v === 'object') walk(sub as protobuf.Type, v as Record<string, unknown>, where, out);
  }
}

/**
 * The mandatory fields (per the standard's `is_mandatory` marks) that `message`, a decoded
 * object of the v2.0 type `typeName` (e.g. `Registration`, as `decodeSapientMessage` gives it:
 * camelCase names, defaults omitted), lacks: paths such as `capabilities` or
 * `modeDefinition[0].modeType`, in field order. An empty string or array counts as missing.
 */
export function missingMandatory(typeName: string, message: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  walk(sapientType(typeName), message, prefix, out);
  return out;
}
