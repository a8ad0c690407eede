/**
 * The JSON Schema (draft-07, which editors support best) of a world's plan files, generated from
 * the same field declarations the loader validates with (planFields.ts). `schema/plan.schema.json`
 * is this function's output, checked in so editors find it through a plan's `"$schema"`; a test
 * regenerates it and fails when it differs, and checks that the schema and the loader agree.
 */
import type { Domain, WorldBase } from './domain.js';
import type { FieldSpec, ObjectSpec } from './fieldSpec.js';
import type { JsonObject, JsonValue } from './json.js';
import { planSpec } from './planFields.js';

export const PLAN_SCHEMA_FILE = 'schema/plan.schema.json';

class SchemaBuilder {
  readonly definitions: Record<string, JsonObject> = {};

  field(spec: FieldSpec): JsonObject {
    const described = (schema: JsonObject): JsonObject => ({ description: spec.description, ...schema });
    switch (spec.kind) {
      case 'string':
        return described({
          type: 'string',
          minLength: 1,
          ...(spec.pattern ? { pattern: spec.pattern.regex } : {}),
          ...(spec.default !== undefined ? { default: spec.default } : {}),
        });
      case 'boolean':
        return described({ type: 'boolean', ...(spec.default !== undefined ? { default: spec.default } : {}) });
      case 'integer':
        return described({
          type: 'integer',
          minimum: spec.minimum,
          maximum: spec.maximum,
          ...(spec.default !== undefined ? { default: spec.default } : {}),
        });
      case 'enum':
        return described({
          enum: [...spec.values, ...(spec.nullable ? [null] : [])],
          ...(spec.default !== undefined ? { default: spec.default } : {}),
        });
      case 'names': {
        const name: JsonObject = { type: 'string', minLength: 1 };
        return described({
          anyOf: [name, { type: 'array', minItems: 1, items: name }],
          ...(spec.default !== undefined ? { default: [...spec.default] } : {}),
        });
      }
      case 'list':
        return described({
          type: 'array',
          items: this.field(spec.items),
          ...(spec.minItems ? { minItems: spec.minItems } : {}),
          ...(spec.uniqueItems ? { uniqueItems: true } : {}),
        });
      case 'object':
        return described(this.object(spec));
      case 'choice':
        return described({ anyOf: spec.options.map((option) => this.field(option)) });
      case 'constant':
        return described({ const: spec.value });
      case 'tagged': {
        const names = Object.keys(spec.variants);
        const branches: JsonValue[] = names.map((name) => {
          const variant = spec.variants[name]!;
          // "At least one field" counts the variant's own fields only, so common fields are added after.
          const body = this.object(variant);
          const common = this.object({ fields: spec.commonFields });
          const properties = {
            [spec.tag]: { const: name },
            ...(body.properties as JsonObject),
            ...(common.properties as JsonObject),
          };
          const required = [spec.tag, ...((body.required as readonly string[] | undefined) ?? [])];
          const then = { ...body, description: variant.description, properties, required };
          // "then" is JSON Schema's keyword: this object is data, never awaited.
          return { if: { properties: { [spec.tag]: { const: name } }, required: [spec.tag] }, then };
        });
        return described({
          type: 'object',
          required: [spec.tag],
          properties: { [spec.tag]: { enum: names } },
          allOf: branches,
        });
      }
      case 'custom':
        for (const [name, definition] of Object.entries(spec.definitions ?? {})) this.definitions[name] = definition;
        return described(spec.schema);
    }
  }

  object(spec: ObjectSpec): JsonObject {
    const names = Object.keys(spec.fields);
    return {
      type: 'object',
      properties: Object.fromEntries(names.map((name) => [name, this.field(spec.fields[name]!)])),
      ...(spec.required && spec.required.length > 0 ? { required: [...spec.required] } : {}),
      additionalProperties: false,
      // "At least one of these fields": one branch per field that requires it.
      ...(spec.minFields === 1 ? { anyOf: names.map((name) => ({ required: [name] })) } : {}),
    };
  }
}

export function planJsonSchema<W extends WorldBase>(domain: Domain<W>): JsonObject {
  const builder = new SchemaBuilder();
  const root = builder.object(planSpec(domain));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `pgdrill plan (${domain.name})`,
    description:
      "A migration plan for pgdrill: its steps in deploy order, the world it starts from, the traffic it runs under and the verdict it expects. Generated from pgdrill's own field declarations; see docs/plans.md.",
    ...root,
    definitions: builder.definitions,
  };
}

/** The schema as the checked-in file holds it: two-space indentation and a final newline. */
export function planJsonSchemaText<W extends WorldBase>(domain: Domain<W>): string {
  return `${JSON.stringify(planJsonSchema(domain), null, 2)}\n`;
}
