import { newStats, runSequence, Sequence } from './operation-sequences';
import { RoutingBed, startRoutingBed } from './routing-bed';

/**
 * Sequences the random-sequence test shrank to (against the code before the live-route fix), and a few written by hand
 * for paths it reaches rarely; each replayed through the same runner and checks. Add new counterexamples here by name.
 */
const REGRESSIONS: [string, Sequence][] = [
  // Found: undo of the first deploy, then a rollback to it left a live pointer and no live route.
  ['rollback after an undo of a first deploy', { projects: 1, ops: [{ kind: 'deploy', project: 0, branch: 0, commit: 0 }, { kind: 'undo', project: 0 }, { kind: 'rollback', project: 0, target: 0 }] }],
  // Found: the same with the rollback requested while a new deploy runs (the deploy then routes while pinned).
  [
    'rollback racing a deploy after an undo of a first deploy',
    { projects: 1, ops: [{ kind: 'deploy', project: 0, branch: 0, commit: 0 }, { kind: 'undo', project: 0 }, { kind: 'race', project: 0, other: 'rollback', target: 0, afterMs: 0 }] },
  ],
  // Found: a cancelled deploy in between changes nothing about it.
  [
    'rollback after an undo of a first deploy and a cancelled deploy',
    {
      projects: 1,
      ops: [{ kind: 'deploy', project: 0, branch: 0, commit: 0 }, { kind: 'undo', project: 0 }, { kind: 'deploy-cancel', project: 0, cancelAfterMs: 0 }, { kind: 'rollback', project: 0, target: 0 }],
    },
  ],
  ['promote after an undo of a first deploy, then undo and redo it', { projects: 1, ops: [{ kind: 'deploy', project: 0 }, { kind: 'undo', project: 0 }, { kind: 'promote', project: 0, target: 0 }, { kind: 'undo', project: 0 }, { kind: 'undo', project: 0 }] }],
  [
    'deploy while pinned by a rollback made after an undo of a first deploy, then undo twice',
    { projects: 1, ops: [{ kind: 'deploy', project: 0 }, { kind: 'undo', project: 0 }, { kind: 'rollback', project: 0, target: 0 }, { kind: 'deploy', project: 0 }, { kind: 'undo', project: 0 }, { kind: 'undo', project: 0 }] },
  ],
  // By hand: project 1's live route sits at the collision alternative; project 0 frees the shared hostname by an undo.
  [
    'live route at the collision alternative stays single when the other project frees the hostname',
    { projects: 2, ops: [{ kind: 'deploy', project: 0 }, { kind: 'deploy', project: 1 }, { kind: 'undo', project: 0 }, { kind: 'deploy', project: 1 }, { kind: 'rollback', project: 1, target: 0 }] },
  ],
  // By hand: the undo of an undo must recreate a live hostname another project took meanwhile: refused, nothing changes.
  [
    'undo of an undo whose live hostname another project took meanwhile',
    { projects: 2, ops: [{ kind: 'deploy', project: 0 }, { kind: 'undo', project: 0 }, { kind: 'deploy', project: 1 }, { kind: 'undo', project: 0 }, { kind: 'rollback', project: 0, target: 0 }] },
  ],
];

describe('routing regressions found by random operation sequences', () => {
  let bed: RoutingBed;
  beforeAll(async () => {
    bed = await startRoutingBed({ concurrency: 8 });
  }, 60_000);
  afterAll(async () => bed.close(), 60_000);

  it.each(REGRESSIONS)('%s', async (_name, sequence) => {
    const stats = newStats();
    await runSequence(bed, sequence, stats);
    expect(stats.operations).toBe(sequence.ops.length);
  }, 60_000);
});
