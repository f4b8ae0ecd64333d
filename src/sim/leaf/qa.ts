/** Leaf rule: answer company questions (founding year, headquarters, acquirer; two hops). */
import { escapeRegExp } from './text.js';

const COMPANY = '([A-Z][a-z]+ [A-Z][a-z]+)';

export function isQaRequest(query: string): boolean {
  return /\b(acquired|acquire|bought|founded|established|headquarter(s|ed)?)\b/i.test(query);
}

function acquirerOf(text: string, target: string): string | undefined {
  const t = escapeRegExp(target);
  const m =
    new RegExp(`${t} was (?:acquired|bought) by ${COMPANY}`).exec(text) ??
    new RegExp(`${COMPANY} (?:acquired|bought) ${t}\\b`).exec(text);
  return m?.[1];
}

function foundedOf(text: string, company: string): string | undefined {
  const c = escapeRegExp(company);
  return (new RegExp(`${c} was (?:founded|established) in (\\d{4})`).exec(text) ?? new RegExp(`Founded in (\\d{4}), ${c}\\b`).exec(text))?.[1];
}

function hqOf(text: string, company: string): string | undefined {
  return new RegExp(`${escapeRegExp(company)}\\b[^.]*? headquartered in ([A-Z][a-z]+)`).exec(text)?.[1];
}

export function answerQa(query: string, text: string): string {
  const entity = /\b([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b/.exec(query)?.[1];
  if (!entity) return 'NONE';
  const attr = /founded|established|what year|\bwhen\b/i.test(query) ? 'founded' : /headquarter|which city|\bwhere\b/i.test(query) ? 'hq' : undefined;
  const viaAcquirer = /acquir|bought|buyer/i.test(query);
  let company = entity;
  if (viaAcquirer) {
    const buyer = acquirerOf(text, entity);
    if (!buyer) return 'NONE';
    if (!attr) return buyer;
    company = buyer;
  }
  const found = attr === 'hq' ? hqOf(text, company) : foundedOf(text, company);
  return found ?? 'NONE';
}
