/** Leaf rule: label support tickets by their wording; count them, list labels, or pick the top. */

const RULES: ReadonlyArray<readonly [string, RegExp]> = [
  ['refund', /\brefund|money back|reimburs/i],
  ['shipping', /\bpackage|tracking|deliver|parcel|courier|shipment|arrived/i],
  ['billing', /\bcharged|invoice|billed|\bfee\b|\bbill\b|overcharged/i],
  ['praise', /\blove\b|fantastic|excellent|best purchase|great job|wonderful/i],
  ['technical', /crash|log in|\berror\b|\bfails\b|connect|does nothing/i],
];

export const KNOWN_LABELS: readonly string[] = RULES.map(([l]) => l);

export function labelsIn(query: string): string[] {
  return KNOWN_LABELS.filter((l) => new RegExp(`\\b${l}\\b`, 'i').test(query));
}

export function isClassifyRequest(query: string): boolean {
  return labelsIn(query).length >= 2;
}

export function labelOf(line: string): string | undefined {
  for (const [label, re] of RULES) if (re.test(line)) return label;
  return undefined;
}

function countLabels(text: string, labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const line of text.split('\n')) {
    const l = labelOf(line);
    if (l !== undefined && l in counts) counts[l]++;
  }
  return counts;
}

export function answerClassify(query: string, text: string): string {
  const labels = labelsIn(query);
  if (/one label per line|label per line|one per line|a label for each line|line by line/i.test(query)) {
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        const l = labelOf(line);
        return l !== undefined && labels.includes(l) ? l : 'other';
      })
      .join('\n');
  }
  const counts = countLabels(text, labels);
  if (/\bmost (frequent|common)\b|\bmost often\b/i.test(query)) {
    return Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
  }
  return JSON.stringify(counts);
}
