/** A library as a run sees it: merged functions compiled for the sandbox, and how to list them. */
import type { LibraryListing } from '../runtime/prompts.js';

export interface LibrarySnapshot {
  /** Commit of the library repository the functions were read from. */
  commit: string;
  /** sha256 of manifest.json at that commit. */
  manifestHash: string;
  /** JavaScript that fills `lib` inside the sandbox (see src/sandbox/prelude.ts). */
  source: string;
  functions: (LibraryListing & { version: string })[];
  /** The functions to list in the system prompt for a query (all stay callable). */
  select(query: string): LibraryListing[];
}
