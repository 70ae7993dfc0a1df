// The one workflowsPath entry the worker bundles.
export { studioExecution } from './studio-execution';
