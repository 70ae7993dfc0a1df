// Sinks: how the workflow tells the worker process about things that are not side effects (metrics).
// A sink call is not repeated when the workflow is replayed, so a counter moves once per event.
import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { EndedReason } from './engine/types';

export interface StudioSinks extends Sinks {
  metrics: {
    /** The execution returned its final state (not on continue-as-new, not on a failed workflow task). */
    executionEnded(ended: { reason: EndedReason }): void;
  };
}

export const studioSinks = proxySinks<StudioSinks>();
