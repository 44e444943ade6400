import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelOpArbitrary, runConvergenceModel, scenarioArbitrary, type ModelOp, type ModelStats } from '../../src/testing/index.js';

// ≥ 1,000 sequences by default (a few seconds); SEALSYNC_MERGE_RUNS=100000 for the long run.
// A failure prints fast-check's seed and path; SEALSYNC_SEED=<seed> replays the same sequences.
const RUNS = Number(process.env.SEALSYNC_MERGE_RUNS ?? 1000);
// Fixed default seed so CI is deterministic; set SEALSYNC_SEED to explore (or replay) other sequences.
const SEED = process.env.SEALSYNC_SEED === undefined ? 20_250_901 : Number(process.env.SEALSYNC_SEED);

describe('multi-device convergence model', () => {
  it(`converges, loses nothing, uploads no scratch data, keeps names valid and each vlob in one place, is idempotent and deterministic (${RUNS} runs, seed ${SEED})`, () => {
    const total: ModelStats = { uploads: 0, versionConflicts: 0, syncConflicts: 0, nameConflicts: 0, restored: 0, resurrected: 0, rebases: 0, merges: 0, repatterned: 0, pruned: 0, movedAway: 0 };
    try {
      fc.assert(
        fc.property(scenarioArbitrary(), (scenario) => {
          const a = runConvergenceModel(scenario);
          const b = runConvergenceModel(scenario);
          expect(b.fingerprint).toBe(a.fingerprint);
          for (const k of Object.keys(total) as (keyof ModelStats)[]) total[k] += a.stats[k];
        }),
        { numRuns: RUNS, seed: SEED },
      );
    } catch (e) {
      console.error(`convergence model failed; replay with SEALSYNC_SEED=${SEED}`);
      throw e;
    }
    console.log(`convergence model: ${RUNS} runs, seed ${SEED}, stats ${JSON.stringify(total)}`);
    // The runs really exercise the rules (racing uploads, conflicts, rebases, restores).
    if (process.env.SEALSYNC_SEED !== undefined) return;
    expect(total.versionConflicts).toBeGreaterThan(0);
    expect(total.syncConflicts).toBeGreaterThan(0);
    expect(total.nameConflicts).toBeGreaterThan(0);
    expect(total.rebases).toBeGreaterThan(0);
    expect(total.restored).toBeGreaterThan(0);
    expect(total.resurrected).toBeGreaterThan(0);
    // Pattern changes, tombstone pruning and the one-place / no-cycle rules all happen.
    expect(total.repatterned).toBeGreaterThan(0);
    expect(total.pruned).toBeGreaterThan(0);
    expect(total.movedAway).toBeGreaterThan(0);
  });

  it(`folder moves on several devices at once: no cycle, one place per vlob, nothing lost (${Math.max(100, RUNS / 5)} runs)`, () => {
    // Four folders every device has, then mostly moves and syncs: concurrent moves of a folder
    // into two places, or of two folders into each other, are common.
    const kinds = new Set(['move', 'pull', 'push', 'push-lost-ack', 'create']);
    const scenario = fc.integer({ min: 2, max: 3 }).chain((devices) => {
      const setup: ModelOp[] = [
        ...['a', 'b', 'c', 'd'].map((name): ModelOp => ({ op: 'mkdir', device: 0, parent: 0, name })),
        { op: 'push', device: 0 },
        ...Array.from({ length: devices }, (_, device): ModelOp => ({ op: 'pull', device })),
      ];
      const random = fc.array(modelOpArbitrary(devices).filter((o: ModelOp) => kinds.has(o.op)), { minLength: 6, maxLength: 30 });
      return fc.record({ devices: fc.constant(devices), ops: random.map((ops) => [...setup, ...ops]) });
    });
    let movedAway = 0;
    fc.assert(
      fc.property(scenario, (sc) => {
        movedAway += runConvergenceModel(sc).stats.movedAway;
      }),
      { numRuns: Math.max(100, RUNS / 5), seed: SEED },
    );
    console.log(`convergence model, folder moves: ${movedAway} entries moved away (double placement or cycle)`);
    if (process.env.SEALSYNC_SEED === undefined) expect(movedAway).toBeGreaterThan(0);
  });

  it('a put-back delete whose every conflict name is ignored here stays, hidden, instead of failing the sync (100,000-run counterexample)', () => {
    const scenario = JSON.parse(
      '{"devices":2,"ops":[{"op":"mkdir","device":1,"parent":0,"name":"a.txt"},{"op":"push-lost-ack","device":1},{"op":"patterns","device":0,"set":0},{"op":"delete","device":1,"target":0},{"op":"create","device":0,"parent":0,"name":"é"},{"op":"patterns","device":1,"set":8},{"op":"delete","device":0,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"write","device":0,"target":0},{"op":"rename","device":0,"target":0,"name":"a"}]}',
    ) as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).fingerprint).toBe(runConvergenceModel(scenario).fingerprint);
  });
  it('a file whose vlob reached the server before its folder, then hidden by a pattern change, is still shared: its folder lists it (10,000-run counterexample)', () => {
    // The root's upload lost a race, so only the file's vlob was stored; the device then chose to
    // ignore *.txt. It holds a verified version of the file (shared data, `isShared`), so its
    // next root version lists it: its content was reported lost before.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":0,"parent":0,"name":"b.txt"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"write","device":0,"target":3},{"op":"push-lost-ack","device":1},{"op":"push","device":0},{"op":"patterns","device":0,"set":8},{"op":"write","device":0,"target":0},{"op":"push","device":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"pull","device":0},{"op":"write","device":0,"target":0},{"op":"push-lost-ack","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"pull","device":0},{"op":"patterns","device":1,"set":0},{"op":"patterns","device":1,"set":0}]}') as Parameters<typeof runConvergenceModel>[0];
    const out = runConvergenceModel(scenario);
    expect(out.tree).toEqual(['/a\tF:01000000000000000000000000000005', '/b.txt\tF:01000000000000000000000000000003']);
  });

  it('a folder moved remotely keeps its scratch children and is not put back where it was on every pull (10,000-run counterexample)', () => {
    // Device 1 has a scratch file (~$report.docx) in folder c, which device 0 moves into a. The
    // scratch file must not count as an unseen change (it never leaves the device): counting it
    // put c back into the root on every pull, and the devices never went quiet.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":0,"parent":0,"name":"b"},{"op":"mkdir","device":0,"parent":0,"name":"c"},{"op":"mkdir","device":0,"parent":0,"name":"d"},{"op":"push","device":0},{"op":"pull","device":0},{"op":"pull","device":1},{"op":"pull","device":0},{"op":"create","device":1,"parent":76,"name":"a"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"push","device":1},{"op":"move","device":0,"target":14,"parent":636},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"create","device":1,"parent":198,"name":"~$report.docx"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"push-lost-ack","device":0},{"op":"pull","device":1},{"op":"push-lost-ack","device":0}]}') as Parameters<typeof runConvergenceModel>[0];
    const out = runConvergenceModel(scenario);
    expect(out.tree).toEqual(['/a\tD', '/a/a\tF:', '/a/c\tD', '/b\tD', '/d\tD']);
  });
  it('an edit made while shown, then hidden by a pattern change, wins over a blind delete by another device (100,000-run counterexample)', () => {
    // Device 0 edits notes.md, then ignores *.md; device 2, which never saw the edit, deletes the
    // file. The hidden entry used to follow the delete, edit and all: lost everywhere.
    const scenario = JSON.parse('{"devices":3,"ops":[{"op":"create","device":0,"parent":0,"name":"notes.md"},{"op":"push","device":0},{"op":"pull","device":2},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"pull","device":0},{"op":"push-lost-ack","device":1},{"op":"create","device":0,"parent":0,"name":"é"},{"op":"rename","device":0,"target":189,"name":"a"},{"op":"push","device":1},{"op":"pull","device":0},{"op":"delete","device":2,"target":0},{"op":"patterns","device":0,"set":9}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:', '/notes.md\tF:01000000000000000000000000000002']);
  });
  it('a file uploaded while shown whose answer was lost, then hidden by a pattern change, is shared once a pull shows it (100,000-run counterexample)', () => {
    // The README's corner: device 1 never saw its upload of .DS_Store acknowledged, then ignored
    // the name. Its next pull gives it the version, so the entry is shared (hidden here), not a
    // scratch file the device expects to keep to itself.
    const scenario = JSON.parse('{"devices":4,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"patterns","device":1,"set":1},{"op":"patterns","device":0,"set":0},{"op":"push-lost-ack","device":0},{"op":"create","device":2,"parent":0,"name":"a"},{"op":"create","device":1,"parent":0,"name":".DS_Store"},{"op":"push-lost-ack","device":1},{"op":"patterns","device":1,"set":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"push","device":0},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"push","device":0},{"op":"push","device":0},{"op":"pull","device":0},{"op":"create","device":0,"parent":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/.DS_Store\tF:', '/a\tD', '/a (name conflict 1)\tF:']);
  });
  it('deleting a shared file kept under a name ignored here is a shared delete, not a scratch one (100,000-run counterexample)', () => {
    // Device 2 uploaded notes.md (its folder not yet), then ignored *.md and deleted the file it
    // still listed: the user saw and removed it, so its content is knowingly gone.
    const scenario = JSON.parse('{"devices":3,"ops":[{"op":"create","device":2,"parent":0,"name":"a"},{"op":"push-lost-ack","device":0},{"op":"write","device":2,"target":0},{"op":"rename","device":2,"target":0,"name":"notes.md"},{"op":"pull","device":0},{"op":"push","device":2},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"patterns","device":2,"set":4},{"op":"delete","device":2,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"move","device":0,"target":0,"parent":0},{"op":"write","device":0,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD']);
  });
  it('deleting a file written under a shown name, then hidden by a pattern change, is a knowing delete of what was written (100,000-run counterexample)', () => {
    // Device 2 wrote a, renamed it notes.md, then ignored *.md and deleted it: the user removed
    // what they wrote. Its upload's answer was lost, so the device took it for scratch, and the
    // model's bookkeeping called the removed content lost (the model's fault, not the merge's).
    const scenario = JSON.parse('{"devices":3,"ops":[{"op":"create","device":2,"parent":0,"name":"a"},{"op":"push-lost-ack","device":2},{"op":"write","device":2,"target":0},{"op":"patterns","device":0,"set":0},{"op":"push","device":0},{"op":"rename","device":0,"target":0,"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"op":"rename","device":2,"target":0,"name":"notes.md"},{"op":"pull","device":0},{"op":"pull","device":0},{"op":"push","device":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"patterns","device":2,"set":4},{"op":"delete","device":2,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"move","device":0,"target":0,"parent":0},{"op":"write","device":0,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:01000000000000000000000000000001']);
  });
  it('renaming a folder a pattern change hid back to a shown name publishes what it holds, scratch content too (100,000-run counterexample)', () => {
    // Device 0 made folder a.txt, then ignored *.txt, wrote into a.txt/a and renamed the folder
    // to a: the user shows it again, content and all. The model called that content scratch
    // that leaked (the model's bookkeeping, not the client's rule).
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a.txt"},{"op":"create","device":0,"parent":33,"name":"a"},{"op":"patterns","device":0,"set":3},{"op":"pull","device":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"create","device":0,"parent":0,"name":" "},{"op":"pull","device":0},{"op":"rename","device":0,"target":25,"name":"a"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"create","device":0,"parent":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/ \tF:', '/a\tD', '/a/a\tF:01000000000000000000000000000004']);
  });
  it('a scratch file renamed to a shown name inside a folder that stays ignored stays scratch (100,000-run counterexample)', () => {
    // a.txt/a became scratch when device 0 ignored *.txt; renamed a.txt/photo.jpeg it is still
    // under an ignored folder, so it never goes out. The model published it on the new name
    // alone and then called it lost.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a.txt"},{"op":"create","device":0,"parent":33,"name":"a"},{"op":"patterns","device":0,"set":3},{"op":"pull","device":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"create","device":0,"parent":0,"name":" "},{"op":"pull","device":0},{"op":"rename","device":0,"target":164,"name":"photo.jpeg"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"create","device":0,"parent":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/ \tF:', '/a\tD']);
  });
  it('a hidden folder whose upload reached the server with its answer lost is listed by its parent once a pull delivers it, whatever the merge order (100,000-run counterexample)', () => {
    // Device 1 made b.txt; the answer to its upload was lost and its root's refused; then it
    // ignored *.txt. Its next pull merged the root before b.txt's version landed, took b.txt
    // for scratch and never listed it: the device stayed out of step (not idempotent).
    const scenario = JSON.parse('{"devices":4,"ops":[{"op":"push","device":0},{"op":"create","device":0,"parent":0,"name":" "},{"op":"pull","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"mkdir","device":1,"parent":0,"name":"b.txt"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"push-lost-ack","device":1},{"op":"patterns","device":1,"set":8}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:01000000000000000000000000000004', '/b.txt\tD']);
  });
  it('a conflicting edit inside a folder hidden by a pattern change keeps its copy, at the root where it goes out (100,000-run counterexample)', () => {
    // Device 1 edited a.txt/a, then ignored *.txt; device 0 had written a.txt/a meanwhile. The
    // conflict copy of device 1's edit was dropped (the model looked for the original in the
    // shown tree only). A copy never shared left in a hidden folder would stay there as scratch,
    // so the client puts it at the root, where it goes out.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":0,"parent":0,"name":"a.txt"},{"op":"push-lost-ack","device":0},{"op":"pull","device":1},{"op":"pull","device":0},{"op":"write","device":0,"target":0},{"op":"push-lost-ack","device":0},{"op":"move","device":1,"target":0,"parent":51},{"op":"delete","device":0,"target":0},{"op":"pull","device":0},{"op":"write","device":1,"target":0},{"op":"push","device":0},{"op":"patterns","device":1,"set":8},{"op":"delete","device":0,"target":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a.txt\tD', '/a.txt/a\tF:01000000000000000000000000000003', '/recovered (sync conflict 1)\tF:02000000000000000000000000000001']);
  });
  it('what was added under a folder whose upload answer was lost, while a pattern change hid it, stays on the device (100,000-run counterexample)', () => {
    // Device 0 uploaded notes.md without seeing the answer, then ignored *.md and wrote
    // notes.md/a. Once a pull shows notes.md is shared, a (never shared, in a folder hidden
    // here) stays scratch: nothing never shared goes out from under a path this device ignores.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"notes.md"},{"op":"mkdir","device":0,"parent":0,"name":"photo.jpeg"},{"op":"push-lost-ack","device":0},{"op":"rename","device":1,"target":0,"name":"a"},{"op":"create","device":0,"parent":451,"name":"a"},{"op":"write","device":0,"target":0},{"op":"patterns","device":0,"set":4},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"move","device":0,"target":0,"parent":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/notes.md\tD', '/photo.jpeg\tD']);
  });
  it('a file moved into a folder the other device deleted, edited on both sides, stays listed: both edits kept (100,000-run counterexample)', () => {
    // Device 0 moved a into archive.tar.gz and edited it; device 1 edited a and deleted the
    // folder. Device 1's merge kept a in the root and took it out of the folder; device 0's
    // root merge dropped it (its move) and its folder merge too (device 1's): listed nowhere.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":0,"parent":0,"name":"archive.tar.gz"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"push","device":0},{"op":"pull","device":0},{"op":"pull","device":1},{"op":"write","device":1,"target":0},{"op":"delete","device":1,"target":33},{"op":"pull","device":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"move","device":0,"target":0,"parent":375},{"op":"write","device":0,"target":0},{"op":"patterns","device":0,"set":0},{"op":"create","device":0,"parent":0,"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"op":"pull","device":0},{"op":"write","device":0,"target":0},{"op":"push","device":1},{"op":"push","device":0},{"op":"push","device":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:02000000000000000000000000000001', '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tF:01000000000000000000000000000005', '/archive.tar.gz\tD', '/archive.tar.gz/a (sync conflict 1)\tF:01000000000000000000000000000003']);
  });
  it('a rename made while shown, into a name a pattern change then hides, goes out (100,000-run counterexample)', () => {
    // Device 0 renamed a → a.txt, then ignored *.txt: every upload folded the rename back to a,
    // so device 0 held a.txt and the others a, for ever.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"push","device":0},{"op":"push","device":0},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"rename","device":0,"target":0,"name":"a.txt"},{"op":"patterns","device":0,"set":8},{"op":"pull","device":0},{"op":"rename","device":1,"target":0,"name":" "},{"op":"write","device":0,"target":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a.txt\tD']);
  });
  it('a scratch file in a folder a pattern change hides, whose own name is no longer ignored, stays scratch (100,000-run counterexample)', () => {
    // Device 0 kept scratch a.txt/x.tmp, then switched to ignoring *.txt (not *.tmp): x.tmp's
    // name no longer matches, but its folder is hidden now. It went out with the folder's next
    // upload; nothing never shared goes out from under a path this device ignores.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"a.txt"},{"op":"create","device":0,"parent":15,"name":"x.tmp"},{"op":"write","device":0,"target":0},{"op":"pull","device":0},{"op":"delete","device":1,"target":0},{"op":"write","device":0,"target":0},{"op":"rename","device":1,"target":0,"name":"a"},{"op":"push","device":0},{"op":"patterns","device":0,"set":8},{"op":"push","device":0},{"op":"pull","device":0},{"op":"move","device":0,"target":0,"parent":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a.txt\tD']);
  });
  it('a file each device placed in a different folder, each then taken out by the other\'s merge, stays listed where a verified folder lists it (100,000-run counterexample)', () => {
    // Device 0 moved the file into a and edited it; device 1 edited it in the root. Device 1's
    // one-place rule took it out of a, device 0's upload took it out of the root: listed by
    // no folder, device 1's edit lost.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"push","device":0},{"op":"create","device":1,"parent":0,"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"pull","device":1},{"op":"push","device":1},{"op":"write","device":0,"target":0},{"op":"write","device":1,"target":0},{"op":"pull","device":0},{"op":"mkdir","device":1,"parent":0,"name":"a"},{"op":"write","device":0,"target":0},{"op":"push","device":1},{"op":"move","device":0,"target":0,"parent":0},{"op":"push","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"move","device":0,"target":0,"parent":0},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":45,"parent":117},{"op":"push","device":0},{"op":"push","device":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/a (name conflict 1)\tD', '/a (name conflict 1)/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tF:02000000000000000000000000000002', '/a (name conflict 1)/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (sync conflict 1)\tF:01000000000000000000000000000003']);
  });
  it('a folder renamed while shown into a name a pattern change then hides keeps that name through a merge (100,000-run counterexample)', () => {
    // Device 0 renamed Makefile → a.txt, then ignored *.txt; the merge with device 1's root
    // dropped a.txt from the working copy, the folder came back as Makefile and the scratch
    // file in it went out.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":0,"parent":0,"name":"a"},{"op":"push","device":0},{"op":"mkdir","device":0,"parent":0,"name":"Makefile"},{"op":"pull","device":0},{"op":"push","device":0},{"op":"delete","device":0,"target":31},{"op":"create","device":0,"parent":163,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a.txt"},{"op":"patterns","device":0,"set":8},{"op":"push-lost-ack","device":1},{"op":"push-lost-ack","device":1},{"op":"pull","device":0},{"op":"write","device":0,"target":0},{"op":"create","device":1,"parent":0,"name":"a"},{"op":"pull","device":0},{"op":"create","device":0,"parent":0,"name":" "},{"op":"create","device":0,"parent":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/ \tF:', '/a\tF:', '/a (name conflict 1)\tF:', '/a.txt\tD']);
  });
  it('a file moved while shown to another folder, then hidden by a pattern change, is listed by one folder only (100,000-run counterexample)', () => {
    // Device 1 moved draft~ out of photo.jpeg into the root, then ignored *~: photo.jpeg's
    // upload kept draft~ as a hidden child of its base, the root's listed it too.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":1,"parent":0,"name":"draft~"},{"op":"mkdir","device":1,"parent":0,"name":"photo.jpeg"},{"op":"patterns","device":1,"set":1},{"op":"move","device":1,"target":0,"parent":45},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"push","device":1},{"op":"move","device":1,"target":451,"parent":0},{"op":"delete","device":0,"target":0},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"patterns","device":1,"set":0},{"op":"push-lost-ack","device":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/draft~\tF:', '/photo.jpeg\tD']);
  });
  it('a delete that missed an edit is not put back when another device moved the entry under a name this device ignores (100,000-run counterexample)', () => {
    // Device 1 deleted notes.md, missing device 0's edit; device 0 had moved it to a/draft~,
    // which device 1 ignores. Not reachable in device 1's working copy, it was put back in the
    // root too: one file in two folders.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"patterns","device":0,"set":7},{"op":"create","device":1,"parent":0,"name":"notes.md"},{"op":"pull","device":0},{"op":"push","device":1},{"op":"pull","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"write","device":1,"target":0},{"op":"delete","device":1,"target":0},{"op":"rename","device":0,"target":0,"name":"draft~"},{"op":"patterns","device":1,"set":4},{"op":"delete","device":1,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"x.tmp"},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":111},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/a/draft~\tF:02000000000000000000000000000002', '/a/draft~ (sync conflict 1)\tF:01000000000000000000000000000002']);
  });
  it('a hidden child is left out of a folder upload only where another folder of the working copy lists it, not for a stale parent (100,000-run counterexample)', () => {
    // Device 0 moved a file into q, then deleted it; device 1 renamed it ~$report.docx (hidden
    // for device 0) and edited it. The root's upload dropped the hidden child because the
    // removed entry still named q as its parent: device 1's edit lost.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"create","device":1,"parent":0,"name":"photo.jpeg"},{"op":"write","device":0,"target":0},{"op":"create","device":1,"parent":0,"name":"a"},{"op":"delete","device":0,"target":0},{"op":"push","device":1},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"pull","device":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"patterns","device":1,"set":6},{"op":"mkdir","device":0,"parent":0,"name":"q"},{"op":"rename","device":1,"target":0,"name":"~$report.docx"},{"op":"delete","device":1,"target":0},{"op":"move","device":0,"target":0,"parent":135},{"op":"write","device":1,"target":0},{"op":"pull","device":0},{"op":"write","device":0,"target":0},{"op":"pull","device":0},{"op":"patterns","device":0,"set":0},{"op":"pull","device":0},{"op":"delete","device":0,"target":427},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:01000000000000000000000000000004', '/q\tD', '/~$report.docx\tF:02000000000000000000000000000003']);
  });
  it('a shared file moved while shown into a folder never shared, which a pattern change then hides, stays on the device with it (100,000-run counterexample)', () => {
    // Device 1 moved a.txt (uploaded, answer lost) into a new folder é….txt, edited it, then
    // ignored *.txt. Nothing under a never-shared hidden folder goes out: to the others a.txt is
    // removed (as a move under an ignored folder is); the model called its edit lost.
    const scenario = JSON.parse('{"devices":4,"ops":[{"op":"create","device":1,"parent":0,"name":"a.txt"},{"op":"push-lost-ack","device":1},{"op":"mkdir","device":1,"parent":0,"name":"archive.tar.gz"},{"op":"mkdir","device":1,"parent":0,"name":"éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé.txt"},{"op":"move","device":1,"target":0,"parent":191},{"op":"write","device":1,"target":0},{"op":"delete","device":0,"target":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"patterns","device":1,"set":8},{"op":"write","device":0,"target":0},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"delete","device":0,"target":0},{"op":"push","device":0},{"op":"push-lost-ack","device":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/archive.tar.gz\tD']);
  });
  it('renaming a hidden folder back to a shown name uploads it again with what was written in it meanwhile (100,000-run counterexample)', () => {
    // Device 0 wrote a.txt/a while *.txt was ignored (scratch under a hidden folder), then
    // renamed a.txt to a: the folder shows a again but its entry, unchanged, was never uploaded.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"b.txt"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":1,"parent":0,"name":"a.txt"},{"op":"push","device":1},{"op":"pull","device":0},{"op":"move","device":0,"target":262,"parent":817},{"op":"patterns","device":0,"set":8},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"create","device":0,"parent":262,"name":"a"},{"op":"delete","device":0,"target":55},{"op":"write","device":0,"target":0},{"op":"push","device":0},{"op":"rename","device":0,"target":10,"name":"a"},{"op":"patterns","device":1,"set":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/a/a\tD', '/a/a/a\tF:01000000000000000000000000000004']);
  });
  it('a hidden folder put back over a delete that missed an edit comes back shown, without what was never shared in it (100,000-run counterexample)', () => {
    // Device 0 deleted a.txt (hidden, holding a never-shared file); device 1's rename of it was
    // missed, so it came back as a (name conflict 1): shown, with a child its verified version
    // lacked, yet clean — never uploaded, and device 0 differed from the server for ever. The
    // never-shared child went with the delete (removed knowingly); a clean folder whose shared
    // view differs from its verified version is uploaded anyway (pendingUploads).
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":0,"parent":0,"name":"b.txt"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":1,"parent":0,"name":"a.txt"},{"op":"push","device":1},{"op":"pull","device":0},{"op":"move","device":0,"target":262,"parent":817},{"op":"patterns","device":0,"set":8},{"op":"mkdir","device":1,"parent":0,"name":"notes.md"},{"op":"rename","device":1,"target":0,"name":"a"},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"create","device":0,"parent":262,"name":"a"},{"op":"delete","device":0,"target":109},{"op":"write","device":0,"target":0},{"op":"push","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"patterns","device":1,"set":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/a (name conflict 1)\tD', '/notes.md\tD']);
  });
  it('a new file in a folder another device moves under a name this device ignores stays on this device, hidden with its folder (100,000-run counterexample)', () => {
    // Device 2 created a/a; before it synced, device 0 moved folder a into ~$report.docx, a name
    // device 2 ignores. Nothing never shared leaves a hidden path: the file is kept on device 2
    // (hidden) and goes out once its patterns show the folder, not published from under it.
    const scenario = JSON.parse('{"devices":3,"ops":[{"op":"create","device":0,"parent":0,"name":"a"},{"op":"mkdir","device":2,"parent":0,"name":"a"},{"op":"write","device":0,"target":0},{"op":"patterns","device":0,"set":0},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"push","device":2},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"create","device":2,"parent":21,"name":"a"},{"op":"pull","device":1},{"op":"write","device":0,"target":0},{"op":"rename","device":0,"target":0,"name":".hidden"},{"op":"patterns","device":0,"set":6},{"op":"write","device":0,"target":0},{"op":"push","device":0},{"op":"mkdir","device":1,"parent":0,"name":"a"},{"op":"mkdir","device":0,"parent":0,"name":"~$report.docx"},{"op":"pull","device":0},{"op":"pull","device":0},{"op":"move","device":0,"target":10,"parent":323},{"op":"write","device":2,"target":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/.hidden\tF:01000000000000000000000000000005', '/~$report.docx\tD', '/~$report.docx/a\tD']);
  });
  it('a scratch file in a folder this device deleted does not come back with the folder when another device lists it again (seed 7, 100,000-run counterexample)', () => {
    // Device 0 wrote scratch x.tmp in a folder, deleted the folder, then stopped ignoring *.tmp;
    // device 1 listed the folder again. Its stale working copy still held x.tmp, which went out.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":1,"parent":0,"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"op":"push-lost-ack","device":1},{"op":"pull","device":0},{"op":"create","device":0,"parent":27,"name":"x.tmp"},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"push","device":0},{"op":"write","device":0,"target":0},{"op":"delete","device":0,"target":0},{"op":"patterns","device":0,"set":2},{"op":"create","device":0,"parent":0,"name":"a"},{"op":"pull","device":0},{"op":"rename","device":0,"target":0,"name":"a"},{"op":"pull","device":0},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:', '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\tD']);
  });
  it('removing a folder keeps a never-shared folder under it that holds shared entries, so a put-back keeps them listed (100,000-run counterexample)', () => {
    // Device 1 moved é into a new folder, then removed its parent; device 0 had added a file to
    // é meanwhile. The put-back parent came back without the new folder (never shared), é
    // with it: listed nowhere, device 0's file lost.
    const scenario = JSON.parse('{"devices":2,"ops":[{"op":"mkdir","device":1,"parent":0,"name":"é"},{"op":"mkdir","device":1,"parent":421,"name":"a"},{"op":"push","device":1},{"op":"mkdir","device":1,"parent":0,"name":"a"},{"op":"mkdir","device":1,"parent":593,"name":"a"},{"op":"write","device":0,"target":0},{"op":"move","device":0,"target":0,"parent":0},{"op":"write","device":0,"target":0},{"op":"pull","device":0},{"op":"delete","device":1,"target":987},{"op":"move","device":1,"target":329,"parent":254},{"op":"delete","device":1,"target":0},{"op":"create","device":0,"parent":334,"name":"archive.tar.gz"},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"delete","device":0,"target":0},{"op":"write","device":0,"target":0}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tD', '/a/a\tD', '/a/a/\u00e9\tD', '/a/a/\u00e9/archive.tar.gz\tF:01000000000000000000000000000003']);
  });
  it('a sync conflict on a shared file kept under a name ignored here puts the copy under a name that goes out (100,000-run counterexample)', () => {
    // Every candidate for notes.md matched *.md: the copy failed the sync with merge/no-free-name.
    const scenario = JSON.parse('{"devices":3,"ops":[{"op":"create","device":2,"parent":0,"name":"a"},{"op":"push-lost-ack","device":2},{"op":"rename","device":0,"target":0,"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"op":"rename","device":2,"target":0,"name":"notes.md"},{"op":"pull","device":0},{"op":"pull","device":0},{"op":"push","device":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"patterns","device":2,"set":4},{"op":"delete","device":1,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"move","device":0,"target":0,"parent":0},{"op":"write","device":0,"target":0},{"op":"mkdir","device":0,"parent":0,"name":"a"},{"op":"rename","device":0,"target":0,"name":"a"}]}') as Parameters<typeof runConvergenceModel>[0];
    expect(runConvergenceModel(scenario).tree).toEqual(['/a\tF:01000000000000000000000000000001', '/recovered (sync conflict 1)\tF:']);
  });
});
