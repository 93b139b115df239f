export { AnchoredRun, ReanchorOptions, ReanchorResult, ReanchorStats, reanchor } from './reanchor';
export { overlayRuns, ropeFromAnchored, runsMatching } from './merge';
export { EXTERNAL_CHANGE_TOOL, externalChangeAttribution, unknownOrigin } from './external';
