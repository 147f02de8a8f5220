import { FlowProducer, Queue } from 'bullmq';
import type { RedisConnection } from '../redis/connection';
import { ALL_QUEUES, QueueName } from './queue-names';

export interface EngineQueues {
  prefix: string;
  operations: Queue;
  steps: Queue;
  routing: Queue;
  /** Scheduled jobs (the reconciler's passes). */
  reconciler: Queue;
  /** A traffic switch's steps before its routing step (see QueueName.switches). */
  switches: Queue;
  flows: FlowProducer;
  all(): Queue[];
  close(): Promise<void>;
}

/** Producers for the engine's queues and the flow producer, on one shared connection. */
export function createEngineQueues(connection: RedisConnection, prefix: string): EngineQueues {
  const make = (name: QueueName) => new Queue(name, { connection, prefix });
  const byName: Record<QueueName, Queue> = {
    operations: make(QueueName.operations),
    steps: make(QueueName.steps),
    routing: make(QueueName.routing),
    switches: make(QueueName.switches),
    reconciler: make(QueueName.reconciler),
  };
  const flows = new FlowProducer({ connection, prefix });
  return {
    prefix,
    ...byName,
    flows,
    all: () => ALL_QUEUES.map((n) => byName[n]),
    async close() {
      await Promise.all([...ALL_QUEUES.map((n) => byName[n].close()), flows.close()]);
    },
  };
}
