/** Makes the `sim:root` / `sim:leaf` model specs resolve in a test file (the CLI registers them for users; the runtime never does). */
import { registerSimProvider } from '../../src/sim/spec.js';

export function useSimModels(): void {
  registerSimProvider();
}
