import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type OpenApiDocument = any;

export interface DocumentedParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: any;
  example?: unknown;
}

export interface DocumentedOperation {
  method: string;
  /** The path template as documented: `/v1/projects/{id}`. */
  path: string;
  pointer: string;
  operation: any;
  parameters: DocumentedParameter[];
}

/** A JSON pointer token. */
const token = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The published OpenAPI document, read the way a validating client reads it: JSON Schema 2020-12 (OpenAPI 3.1's
 * dialect) through ajv, `format` checked, and patterns compiled as ajv compiles them — with the `u` flag by default
 * (`unicodeRegExp: true`), or without it, as some other validators do.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly doc: OpenApiDocument,
    options: { unicodeRegExp?: boolean } = {},
  ) {
    // Not strict: the document itself has OpenAPI keywords (openapi, paths, example …) that are not JSON Schema.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: options.unicodeRegExp ?? true });
    addFormats(this.ajv);
    this.ajv.addSchema(doc, 'openapi.json');
  }

  operations(): DocumentedOperation[] {
    const out: DocumentedOperation[] = [];
    for (const [path, item] of Object.entries<any>(this.doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        out.push({ method: method.toUpperCase(), path, pointer: `/paths/${token(path)}/${method}`, operation, parameters: operation.parameters ?? [] });
      }
    }
    return out;
  }

  operation(method: string, path: string): DocumentedOperation {
    const found = this.operations().find((o) => o.method === method.toUpperCase() && o.path === path);
    if (!found) throw new Error(`${method} ${path} is not in the document`);
    return found;
  }

  /** Validates `value` against the schema at a JSON pointer into the document; the ajv errors, or [] when valid. */
  errorsAt(pointer: string, value: unknown): unknown[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  /** The response schema's pointer for an answer of `status` (JSON only), or undefined when that answer is not documented. */
  responsePointer(method: string, path: string, status: number): string | undefined {
    const op = this.operation(method, path);
    const response = op.operation.responses?.[String(status)];
    if (!response?.content?.['application/json']) return undefined;
    return `${op.pointer}/responses/${status}/content/${token('application/json')}/schema`;
  }

  parameterPointer(method: string, path: string, location: string, name: string): string {
    const op = this.operation(method, path);
    const index = op.parameters.findIndex((p) => p.in === location && p.name.toLowerCase() === name.toLowerCase());
    if (index < 0) throw new Error(`${method} ${path} documents no ${location} parameter ${name}`);
    return `${op.pointer}/parameters/${index}/schema`;
  }

  /** The request body schema's pointer, when the operation takes a JSON body. */
  requestBodyPointer(method: string, path: string): string | undefined {
    const op = this.operation(method, path);
    if (!op.operation.requestBody?.content?.['application/json']) return undefined;
    return `${op.pointer}/requestBody/content/${token('application/json')}/schema`;
  }

  /** The pointer of the schema at `pointer`, following `$ref`s (local ones), so that sub-schemas can be addressed. */
  schemaPointer(pointer: string): string {
    let current = pointer;
    for (;;) {
      const node = current
        .replace(/^\//, '')
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((n: any, part: string) => n?.[part], this.doc);
      if (!node || typeof node.$ref !== 'string') return current;
      current = node.$ref.replace(/^#/, '');
    }
  }

  /** Resolves a `$ref` (only local ones) to the schema it names. */
  resolve(schema: any): any {
    let current = schema;
    while (current && typeof current.$ref === 'string') {
      current = current.$ref
        .replace(/^#\//, '')
        .split('/')
        .map((part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((node: any, part: string) => node[part], this.doc);
    }
    return current;
  }

  /**
   * Every `example` in the document with the schema it illustrates, as [where, pointer of the schema, example]:
   * parameters' examples (against the parameter's schema) and every schema object carrying an `example`.
   */
  examples(): Array<[string, string, unknown]> {
    const found: Array<[string, string, unknown]> = [];
    const VALUES = new Set(['example', 'examples', 'default', 'enum', 'const']);
    const MAPS_OF_SCHEMAS = new Set(['properties', 'patternProperties', '$defs']);
    const walkSchema = (node: any, pointer: string) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((child, i) => walkSchema(child, `${pointer}/${i}`));
      if ('example' in node) found.push([pointer, pointer, node.example]);
      for (const [key, child] of Object.entries<any>(node)) {
        if (VALUES.has(key)) continue;
        if (MAPS_OF_SCHEMAS.has(key)) {
          for (const [name, schema] of Object.entries<any>(child ?? {})) walkSchema(schema, `${pointer}/${key}/${token(name)}`);
        } else {
          walkSchema(child, `${pointer}/${token(key)}`);
        }
      }
    };
    const walk = (node: any, pointer: string) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${pointer}/${i}`));
      if ('in' in node && 'schema' in node && 'example' in node) found.push([pointer, `${pointer}/schema`, node.example]);
      for (const [key, child] of Object.entries<any>(node)) {
        if (key === 'schema') walkSchema(child, `${pointer}/schema`);
        else if (pointer === '/components' && key === 'schemas') {
          for (const [name, schema] of Object.entries<any>(child)) walkSchema(schema, `/components/schemas/${token(name)}`);
        } else if (!VALUES.has(key)) walk(child, `${pointer}/${token(key)}`);
      }
    };
    walk(this.doc, '');
    return found;
  }
}

/** All the patterns in the document, with where they are. */
export function patternsOf(doc: OpenApiDocument): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const walk = (node: any, pointer: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries<any>(node)) {
      if (key === 'pattern' && typeof child === 'string') found.push([pointer, child]);
      else walk(child, `${pointer}/${token(key)}`);
    }
  };
  walk(doc, '');
  return found;
}
