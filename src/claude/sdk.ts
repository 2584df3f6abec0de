/*
 * The Anthropic SDK, loaded when it is first needed rather than when JupyterLab starts.
 *
 * The SDK is the largest part of the extension and nothing at start-up needs it: the first
 * question (or the model picker) loads it, from the extension's own files, so it works offline.
 */
import type * as SDK from '@anthropic-ai/sdk';

/**
 * The SDK module, once loaded.
 */
export type SDKModule = typeof SDK;

/**
 * Load the SDK (once; later calls share the first load).
 */
export function loadSDK(): Promise<SDKModule> {
  if (!Private.state.loading) {
    Private.state.loading = import(/* webpackChunkName: "anthropic-sdk" */ '@anthropic-ai/sdk').then(module => {
      Private.state.loaded = module;
      return module;
    });
    // A failed load (the page lost its server) may be tried again.
    Private.state.loading.catch(() => {
      Private.state.loading = null;
    });
  }
  return Private.state.loading;
}

/**
 * The SDK if it has been loaded, else null. Whatever the SDK threw was thrown after it loaded,
 * so code that only classifies the SDK's errors can rely on this.
 */
export function loadedSDK(): SDKModule | null {
  return Private.state.loaded;
}

/**
 * Record a module that was imported statically (code that runs in Node, e.g. tests).
 */
export function provideSDK(module: SDKModule): void {
  Private.state.loaded = module;
  Private.state.loading = Promise.resolve(module);
}

namespace Private {
  export const state: { loaded: SDKModule | null; loading: Promise<SDKModule> | null } = {
    loaded: null,
    loading: null
  };
}
