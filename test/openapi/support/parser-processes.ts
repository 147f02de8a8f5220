import { readFileSync } from 'node:fs';
import { childProcessesOf } from '../../../src/services/child-processes';

/** The OpenAPI parser child processes of `parentPid`, from /proc. */
export function parserProcessesOf(parentPid: number): number[] {
  return childProcessesOf(parentPid)
    .map((child) => child.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('parse-child.js');
      } catch {
        return false;
      }
    });
}

/** A process's fields from /proc/<pid>/stat after the command name, or undefined when it no longer exists. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Gone, or a zombie waiting to be reaped: either way it runs nothing and holds no memory. */
export function hasEnded(pid: number): boolean {
  const fields = statFields(pid);
  return fields === undefined || fields[0] === 'Z' || fields[0] === 'X';
}

/** The niceness of a process's main thread (field 19 of /proc/<pid>/stat). */
export function nicenessOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields === undefined ? undefined : Number(fields[16]);
}

/** Many small operations: a plausible large spec, as YAML (about 330 bytes per path). */
export function bigYaml(paths: number): string {
  const lines = ['openapi: 3.1.0', 'info: {title: big, version: "1"}', 'paths:'];
  for (let i = 0; i < paths; i++) {
    lines.push(`  /things/${i}/{id}:`, '    get:', `      operationId: getThing${i}`, `      summary: Get thing ${i}`, '      parameters:', '        - {name: id, in: path, required: true, schema: {type: string}}', '      responses:', "        '200': {description: ok}");
  }
  return `${lines.join('\n')}\n`;
}
