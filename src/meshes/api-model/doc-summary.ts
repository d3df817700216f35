import { htmlToMarkdown } from './html-to-markdown.js';

/** The first sentence of the model's HTML documentation, as plain text on one line ('' when there is none). */
export function firstSentence(html: string | undefined): string {
  if (html === undefined) return '';
  const paragraph =
    htmlToMarkdown(html)
      .split(/\n\s*\n/)
      .map(toPlainText)
      .find((p) => p !== '') ?? '';
  const sentence = /^.*?[.!?](?=\s+[A-Z[(`"']|$)/.exec(paragraph)?.[0] ?? paragraph;
  return sentence;
}

/** Drops the Markdown that `htmlToMarkdown` adds: links keep their text, emphasis and code marks go. */
function toPlainText(markdown: string): string {
  return markdown
    .replace(/^\s*>\s?/gm, '')
    .replace(/^\s*- /gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|`/g, '')
    .replace(/(^|[^\w])_([^_]+)_(?![\w])/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}
