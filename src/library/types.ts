/** A library as a run sees it: merged functions compiled for the sandbox, and how to list them. */
import type { LibraryListing } from '../contracts/listing.js';

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
  /**
   * Like select, with the configured semantic scorer (embeddings) when there is one; falls back to
   * select when it fails. The runtime prefers it when present.
   */
  retrieve?(query: string): Promise<LibraryListing[]>;
  /** What was left out while loading, and why (a function that does not compile, a missing file). */
  warnings?: string[];
  /** `name@version` pins applied over `commit`: those functions come from older commits of main. */
  pins?: Record<string, { version: string; commit: string }>;
  /** The repository it was read from. */
  dir?: string;
}
