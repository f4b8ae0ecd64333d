/** A matched pair of simulated models: the root (writes code) and the leaf (answers sub-calls). */
import type { LatencyModel } from './latency.js';
import { DEFAULT_LEAF_WINDOW, SimLeafModel } from './leaf-model.js';
import { SimRootModel } from './root-model.js';

export interface SimModelsOptions {
  seed?: number;
  /** The leaf's window in characters (the root sizes its chunks from it). Default 8000. */
  leafWindow?: number;
  /** The leaf's error rate. Default 0.02. */
  errorRate?: number;
  /** Applied to both models. Default none. */
  latency?: LatencyModel;
  /** The root's bug rate. Default 0.15. */
  bugRate?: number;
}

export interface SimModels {
  root: SimRootModel;
  leaf: SimLeafModel;
}

export function createSimModels(options: SimModelsOptions = {}): SimModels {
  const seed = options.seed ?? 0;
  const leafWindow = options.leafWindow ?? DEFAULT_LEAF_WINDOW;
  return {
    root: new SimRootModel({ seed, leafWindow, latency: options.latency, bugRate: options.bugRate }),
    leaf: new SimLeafModel({ seed, window: leafWindow, errorRate: options.errorRate, latency: options.latency }),
  };
}
