// Starts a long parse, waits until the parser has had time to read its body, prints the parser's pid and exits
// while it still parses: the parser must not outlive this process.
import { DEFAULT_OPENAPI_LIMITS } from '../../../src/openapi/limits';
import { parseOpenapiInWorker } from '../../../src/openapi/parse-in-child-process';
import { bigYaml, parserProcessesOf } from './parser-processes';

void parseOpenapiInWorker(Buffer.from(bigYaml(40_000)), { ...DEFAULT_OPENAPI_LIMITS, parseHeapMb: { old: 512, young: 8, stack: 4 }, parseTimeoutMs: 120_000 });
const [pid] = parserProcessesOf(process.pid);
setTimeout(() => {
  process.stdout.write(`${pid}\n`, () => process.exit(0));
}, 1_000);
