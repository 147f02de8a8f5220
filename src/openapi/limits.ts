/**
 * Every bound on fetching and parsing a tenant's OpenAPI document. A tenant controls the document completely, so
 * each resource it can make the control plane spend has a cap here; a document over any cap is "not stored".
 */
export interface OpenapiLimits {
  /** Body cap (SPEC §3.1 step 5: 5 MiB). */
  maxBodyBytes: number;
  /** The whole exchange with one instance, a body that drips in included (SPEC: 5 s). */
  fetchTimeoutMs: number;
  /** CPU time of one parse, child process start-up included; the parser is SIGKILLed past it (or past 12 times it on the clock). */
  parseTimeoutMs: number;
  /** V8 heap of the parser's child process (old + young generation) and its stack: together the 64 MiB budget. */
  parseHeapMb: { old: number; young: number; stack: number };
  /** Nesting depth of the parsed document (objects and arrays). */
  maxDepth: number;
  /** Values in the document, counted as the document expands: a YAML alias counts as everything it points at. */
  maxNodes: number;
  /** Size of the document as the JSON text that is stored (aliases expanded). */
  maxStoredBytes: number;
}

export const DEFAULT_OPENAPI_LIMITS: OpenapiLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  fetchTimeoutMs: 5_000,
  parseTimeoutMs: 5_000,
  parseHeapMb: { old: 52, young: 8, stack: 4 },
  maxDepth: 200,
  maxNodes: 1_000_000,
  maxStoredBytes: 10 * 1024 * 1024,
};

/** Parses at once per process: each may use its whole budget, so this bounds the process's total. */
export const MAX_CONCURRENT_PARSES = 2;
