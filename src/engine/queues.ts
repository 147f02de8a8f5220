import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ALL_QUEUES, QueueName } from './queue-names';

export interface EngineQueues {
  prefix: string;
  operations: Queue;
  steps: Queue;
  routing: Queue;
  flows: FlowProducer;
  all(): Queue[];
  close(): Promise<void>;
}

/** Producers for the three queues and the flow producer, on one shared connection. */
export function createEngineQueues(connection: Redis, prefix: string): EngineQueues {
  const make = (name: QueueName) => new Queue(name, { connection, prefix });
  const operations = make(QueueName.operations);
  const steps = make(QueueName.steps);
  const routing = make(QueueName.routing);
  const flows = new FlowProducer({ connection, prefix });
  const byName = { operations, steps, routing };
  return {
    prefix,
    operations,
    steps,
    routing,
    flows,
    all: () => ALL_QUEUES.map((n) => byName[n]),
    async close() {
      await Promise.all([operations.close(), steps.close(), routing.close(), flows.close()]);
    },
  };
}
