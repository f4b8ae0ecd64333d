/** The root model's first step: look at the type, size and head of the input. */
import type { Rng } from '../rng.js';

export function peekProgram(rng: Rng): string {
  const head = rng.pick([1000, 1500, 2000]);
  const lines = [
    rng.chance(0.5) ? 'print(typeof context, context.length);' : "print(typeof context, context.length, 'chars');",
    rng.chance(0.5) ? "print('lines:', context.split('\\n').length);" : '',
    `print(context.slice(0, ${head}));`,
    rng.chance(0.3) ? "print('...');\nprint(context.slice(-300));" : '',
  ];
  return lines.filter(Boolean).join('\n');
}
