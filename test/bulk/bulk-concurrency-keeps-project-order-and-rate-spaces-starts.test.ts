import { createRunDisplay, describeProgress } from '../../src/bulk/progress';
import { Clock, createRateLimiter, Lanes } from '../../src/bulk/scheduling';

/** A task that starts, records itself, and finishes only when the test says so. */
function gatedTasks() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const task = (name: string) => () =>
    new Promise<void>((resolve) => {
      started.push(name);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      finish.set(name, () => {
        running -= 1;
        resolve();
      });
    });
  const settle = () => new Promise((r) => setImmediate(r));
  return { started, finish: async (name: string) => (finish.get(name)!(), settle()), task, settle, maxRunning: () => maxRunning };
}

/** Time that moves only when someone sleeps. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('concurrency keeps each project in order; --rate spaces line starts', () => {
  it('runs up to N lines at once, but never two lines of one project, and each project in file order', async () => {
    const t = gatedTasks();
    const lanes = new Lanes(2);
    lanes.add('api', t.task('api-1'));
    lanes.add('web', t.task('web-1'));
    lanes.add('api', t.task('api-2'));
    lanes.add('db', t.task('db-1'));
    lanes.add('api', t.task('api-3'));
    const drained = lanes.drain();
    await t.settle();
    expect(t.started).toEqual(['api-1', 'web-1']);

    await t.finish('api-1'); // api-2 is next of its lane but db-1 asked for a slot first
    expect(t.started).toEqual(['api-1', 'web-1', 'db-1']);
    await t.finish('web-1');
    expect(t.started).toEqual(['api-1', 'web-1', 'db-1', 'api-2']);
    await t.finish('db-1');
    expect(t.started).toHaveLength(4); // api-3 waits for api-2, slot or not
    await t.finish('api-2');
    expect(t.started.at(-1)).toBe('api-3');
    await t.finish('api-3');
    await drained;
    expect(t.maxRunning()).toBe(2);
  });

  it('keeps a lane going after one of its tasks fails', async () => {
    const order: string[] = [];
    const lanes = new Lanes(1);
    lanes.add('api', async () => {
      order.push('first');
      throw new Error('boom');
    });
    lanes.add('api', async () => void order.push('second'));
    await lanes.drain();
    expect(order).toEqual(['first', 'second']);
  });

  it('starts at most N lines per second, and does not wait without a rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(4, clock);
    const startedAt: number[] = [];
    for (let i = 0; i < 6; i++) {
      await limiter.take();
      startedAt.push(clock.now());
    }
    expect(startedAt.map((t) => t - 1_000)).toEqual([0, 250, 500, 750, 1000, 1250]);

    const free = fakeClock();
    const unlimited = createRateLimiter(undefined, free);
    for (let i = 0; i < 100; i++) await unlimited.take();
    expect(free.sleeps).toEqual([]);
    expect(() => createRateLimiter(0)).toThrow(RangeError);
  });

  it('draws a bar in place on a terminal with rows above it, and plain periodic lines elsewhere', () => {
    expect(describeProgress(0, 10, 0, 0)).toBe('0/10 lines, 0.0/s, ETA ?');
    expect(describeProgress(5, 20, 1, 2_000)).toBe('5/20 lines, 1 rejected, 2.5/s, ETA 6s');
    expect(describeProgress(20, 20, 0, 4_000)).toBe('20/20 lines, 5.0/s, done');

    // A terminal: the bar (cli-progress) is redrawn in place on stderr; rows of finished lines print above it.
    const terminal: string[] = [];
    const shownRows: string[] = [];
    const bar = createRunDisplay({ isTTY: true, columns: 120, write: (s) => terminal.push(s) }, { isTTY: true, write: (s) => shownRows.push(s) });
    bar.start(4);
    for (let done = 1; done <= 4; done++) {
      bar.print(`line ${done}  deploy  enqueued\n`);
      bar.update(done, done === 2 ? 1 : 0);
    }
    bar.finish();
    const screen = terminal.join('');
    expect(shownRows).toEqual([]);
    expect(screen).toMatch(/line 1 {2}deploy {2}enqueued\n[\s\S]*line 4 {2}deploy {2}enqueued\n/);
    expect(screen).toMatch(/\[#{24}\] 4\/4 lines, [\d.]+\/s, done[^\n]*\n$/); // then the terminal's escape codes and the closing newline
    // stdout redirected (a file) while stderr is a terminal: rows go to stdout as they are.
    const fileRows: string[] = [];
    const split = createRunDisplay({ isTTY: true, write: () => undefined }, { isTTY: false, write: (s) => fileRows.push(s) });
    split.start(1);
    split.print('line 1  undo  enqueued\n');
    split.finish();
    expect(fileRows).toEqual(['line 1  undo  enqueued\n']);

    const clock = fakeClock();
    const log: string[] = [];
    const rows: string[] = [];
    const plain = createRunDisplay({ isTTY: false, write: (s) => log.push(s) }, { isTTY: false, write: (s) => rows.push(s) }, { clock, everyMs: 1_000 });
    plain.start(4);
    for (let done = 1; done <= 4; done++) {
      void clock.sleep(500);
      plain.print(`row ${done}\n`);
      plain.update(done, 0);
    }
    plain.finish();
    expect(log).toEqual(['enqueue: 2/4 lines, 2.0/s, ETA 1s\n', 'enqueue: 4/4 lines, 2.0/s, done\n']);
    expect(rows).toEqual(['row 1\n', 'row 2\n', 'row 3\n', 'row 4\n']);
    const quiet: string[] = [];
    const short = createRunDisplay({ isTTY: false, write: (s) => quiet.push(s) }, { write: () => undefined }, { clock, everyMs: 1_000 });
    short.start(1);
    short.update(1, 1);
    short.finish();
    expect(quiet).toEqual(['enqueue: 1/1 lines, 1 rejected, 0.0/s, done\n']);
  });
});
