/** Leaf rule: find the secret code of a named project in the visible text. */
import { escapeRegExp, sentences } from './text.js';

export function isNeedleRequest(query: string): boolean {
  return /\b(secret|access) codes?\b|\bpass ?codes?\b/i.test(query) && /\bprojects?\b/i.test(query);
}

export function askedProjects(query: string): string[] {
  const names = [...query.matchAll(/\bprojects? ([A-Z][a-zA-Z]+)(?: and (?:project )?([A-Z][a-zA-Z]+))?/g)].flatMap((m) => [m[1], m[2]]);
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))];
}

export function findCode(text: string, project: string): string | undefined {
  const name = new RegExp(`\\b${escapeRegExp(project)}\\b`);
  for (const s of sentences(text)) {
    if (!name.test(s) || !/\bcode\b/i.test(s)) continue;
    const tokens = (s.match(/[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+/g) ?? []).filter((t) => /\d/.test(t));
    if (tokens.length > 0) return tokens[tokens.length - 1];
  }
  return undefined;
}

export function answerNeedle(query: string, text: string): string {
  const projects = askedProjects(query);
  if (projects.length === 0) return 'NOT FOUND';
  if (projects.length === 1) return findCode(text, projects[0]) ?? 'NOT FOUND';
  return projects.map((p) => `${p}: ${findCode(text, p) ?? 'NOT FOUND'}`).join('\n');
}
