/** Leaf rule: extract people (name, city, hobby, birth year) from profile lines; pair them. */

export interface ExtractedPerson {
  name: string;
  city: string;
  hobby: string;
  year: number;
}

export function isPairsRequest(query: string): boolean {
  return /\bpairs?\b/i.test(query) && /\bsame\b/i.test(query);
}

export function isExtractRequest(query: string): boolean {
  return /\b(extract|list (each|every|all)|every|each) (person|people|profile|member)s?\b|\bpeople (mentioned|described)\b/i.test(query);
}

/** People on complete lines (a line cut by the window does not end with a period). */
export function extractPeople(text: string): ExtractedPerson[] {
  const out: ExtractedPerson[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.endsWith('.')) continue;
    const name = /^(?:Born in \d{4}, )?([A-Z][a-z]+ [A-Z][a-z]+)\b/.exec(line);
    const city = /\b(?:lives in|based in|resides in) ([A-Z][a-z]+)/.exec(line);
    const year = /\bborn in (\d{4})\b/i.exec(line);
    const hobby = /\b(?:weekends on|passionate about|enjoys|pastime is) ([a-z]+(?: [a-z]+)*)/.exec(line);
    if (name && city && year && hobby) out.push({ name: name[1], city: city[1], hobby: hobby[1], year: Number(year[1]) });
  }
  return out;
}

export function pairKeys(query: string): Array<keyof ExtractedPerson> {
  const keys: Array<keyof ExtractedPerson> = [];
  if (/same city|city/i.test(query)) keys.push('city');
  if (/same hobby|hobby/i.test(query)) keys.push('hobby');
  if (/same (birth )?year|birth year|born in the same year/i.test(query)) keys.push('year');
  return keys.length > 0 ? keys : ['city'];
}

export function answerExtract(query: string, text: string): string {
  const people = extractPeople(text);
  if (/\|/.test(query)) return people.map((p) => `${p.name} | ${p.city} | ${p.hobby} | ${p.year}`).join('\n') || 'NONE';
  return JSON.stringify(people);
}

export function answerPairs(query: string, text: string): string {
  const keys = pairKeys(query);
  const groups = new Map<string, string[]>();
  for (const p of extractPeople(text)) {
    const k = keys.map((key) => String(p[key]).toLowerCase()).join('|');
    groups.set(k, [...(groups.get(k) ?? []), p.name]);
  }
  const pairs: string[] = [];
  for (const names of groups.values()) {
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push(`${names[i]} - ${names[j]}`);
  }
  return pairs.length > 0 ? pairs.join('\n') : 'No matching pairs.';
}
