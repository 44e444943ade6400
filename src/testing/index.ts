/**
 * `sealsync/testing`: property-testing helpers for applications built on sealsync's merge.
 * Requires `fast-check` (an optional peer dependency of sealsync) for the arbitraries.
 * @module
 */
export {
  applyFolderEdits,
  COMMON_NAMES,
  entryNameArbitrary,
  fileManifestArbitrary,
  folderManifestArbitrary,
  folderMergeInputArbitrary,
  HOSTILE_NAME_PIECES,
  idArbitrary,
  modelOpArbitrary,
  scenarioArbitrary,
  type EntryNameArbitraryOptions,
  type FolderEdit,
  type FolderMergeInput,
  type ManifestArbitraryOptions,
  type ScenarioArbitraryOptions,
} from './arbitraries.js';
export {
  ModelInvariantError,
  PATTERN_SETS,
  runConvergenceModel,
  type ModelOp,
  type ModelOptions,
  type ModelOutcome,
  type ModelScenario,
  type ModelStats,
} from './model.js';
