/** Syntax highlighting of logged code, server-side, by highlight.js (the languages programs are written in). */
import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import { raw } from 'hono/html';

hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('python', python);

export type CodeLanguage = 'typescript' | 'javascript' | 'python';

/** `code` as highlighted HTML (escaped by highlight.js) inside <pre><code>. */
export function highlighted(code: string, language: CodeLanguage = 'typescript') {
  const { value } = hljs.highlight(code, { language, ignoreIllegals: true });
  return raw(`<pre class="code"><code class="hljs language-${language}">${value}</code></pre>`);
}
