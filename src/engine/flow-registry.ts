import type { AnyFlow } from './define-flow';
import { UnknownOperationKindError } from './errors';

/** The flows an engine was given, by operation kind. */
export class FlowRegistry {
  private readonly byKind = new Map<string, AnyFlow>();

  constructor(flows: readonly AnyFlow[]) {
    for (const flow of flows) {
      if (this.byKind.has(flow.kind)) throw new Error(`two flows for operations of kind ${flow.kind}`);
      this.byKind.set(flow.kind, flow);
    }
  }

  /** The flow of an operation kind; an UnknownOperationKindError (terminal) for a kind no flow handles. */
  of(kind: string): AnyFlow {
    const flow = this.byKind.get(kind);
    if (!flow) throw new UnknownOperationKindError(kind);
    return flow;
  }

  /** Whether a flow handles operations of this kind. */
  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  all(): AnyFlow[] {
    return [...this.byKind.values()];
  }
}
