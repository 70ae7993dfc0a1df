// Validates response bodies against Twilio's official OpenAPI specs (../shared/twilio-openapi at run
// time; never copied into the repo). The specs are OpenAPI 3.0, which ajv 8 does not read as is:
// `nullable` becomes a JSON-schema type union, `x-*` extensions go, and Twilio's custom formats
// (`uri-map`, `phone-number`) are registered as known.
import * as fs from 'node:fs';
import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface TwilioSchemas {
  /**
   * Errors of `body` against `components.schemas[schemaName]`; [] when valid. Unless `allowAdditional`,
   * a top-level key the schema does not declare is an error too (it catches drift from Twilio's shape).
   */
  validate(schemaName: string, body: unknown, options?: { allowAdditional?: boolean }): string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** OpenAPI 3.0 schema → JSON schema that ajv 8 accepts. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const converted: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'nullable' || key === 'example') continue;
    converted[key] = toJsonSchema(value);
  }
  if (node.nullable === true) {
    if (typeof converted.type === 'string') converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum) && !converted.enum.includes(null)) converted.enum = [...converted.enum, null];
  }
  return converted;
}

/** null when the spec file is absent (a fresh clone has no ../shared): callers skip with a message. */
export function loadTwilioSchemas(specFile: string): TwilioSchemas | null {
  if (!fs.existsSync(specFile)) return null;
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as { components: { schemas: { [name: string]: Json } } };
  // strict:false: the specs carry keywords ajv does not know (`deleteSla`, descriptions of refs).
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('uri-map', true);
  ajv.addFormat('phone-number', true);
  const components = toJsonSchema(spec.components as unknown as Json);
  ajv.addSchema({ $id: 'spec', components } as object);
  const compiled = new Map<string, ValidateFunction>();
  const declared = spec.components.schemas;

  return {
    validate(schemaName, body, options = {}) {
      let validator = compiled.get(schemaName);
      if (!validator) {
        if (!(schemaName in declared)) return [`no schema named ${schemaName} in ${specFile}`];
        validator = ajv.getSchema(`spec#/components/schemas/${schemaName}`);
        if (!validator) return [`schema ${schemaName} could not be compiled`];
        compiled.set(schemaName, validator);
      }
      const errors: string[] = [];
      if (!validator(body)) {
        for (const error of validator.errors ?? []) errors.push(`${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`);
      }
      const schema = declared[schemaName];
      const properties = schema !== null && typeof schema === 'object' && !Array.isArray(schema) ? schema.properties : undefined;
      if (!options.allowAdditional && properties && typeof properties === 'object' && !Array.isArray(properties) && body && typeof body === 'object') {
        for (const key of Object.keys(body)) if (!(key in properties)) errors.push(`/${key} is not in the schema`);
      }
      return errors;
    },
  };
}
