/**
 * How library functions are listed to a root model: the listing type the library produces and the
 * runtime shows, and the format of the system prompt's library section (which the simulated root
 * model parses).
 */

/** A library function as listed in the system prompt. */
export interface LibraryListing {
  name: string;
  /** `(params): ReturnType` */
  signature: string;
  doc: string;
}

/** The heading of the system prompt's library section. */
export const LIBRARY_HEADING = '## Library functions';

/** One line of the library section: `- lib.<name><signature>: <doc on one line>`. */
export function listingLine(f: LibraryListing): string {
  return `- lib.${f.name}${f.signature}: ${f.doc.replace(/\s+/g, ' ').trim()}`;
}
