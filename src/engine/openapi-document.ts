import YAML from 'yaml';

/** Parses a fetched OpenAPI document: JSON, else YAML; only an object (a document) counts. */
export function parseOpenapiDocument(body: string): object | undefined {
  try {
    const value = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    try {
      const value = YAML.parse(body, { maxAliasCount: 100 });
      return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
