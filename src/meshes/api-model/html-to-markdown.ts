/**
 * Turns the model's documentation HTML (p, code, a, b, i, ul/li, note, pre, and the empty
 * `<zonbook></zonbook><xhtml></xhtml>` placeholders) into CommonMark for the OpenAPI document.
 * Unknown tags are dropped, their text kept.
 */
export function htmlToMarkdown(html: string): string {
  const root: Frame = { tag: '', parts: [] };
  const stack: Frame[] = [root];
  const top = () => stack[stack.length - 1] ?? root;
  for (const token of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|([^<]+)|</g)) {
    const [, closing, rawTag, attributes, text] = token;
    if (rawTag === undefined) {
      const decoded = decodeEntities(text ?? '<');
      top().parts.push(inPre(stack) ? decoded : decoded.replace(/\s+/g, ' '));
      continue;
    }
    const tag = rawTag.toLowerCase();
    if (!FRAMED.has(tag)) {
      const mark = INLINE[tag];
      if (mark !== undefined && !inPre(stack)) top().parts.push(mark);
      continue;
    }
    if (!closing) {
      const href = /href\s*=\s*"([^"]*)"/.exec(attributes ?? '')?.[1];
      stack.push({ tag, parts: [], ...(href !== undefined ? { href: decodeEntities(href) } : {}) });
      continue;
    }
    const index = stack.findLastIndex((f) => f.tag === tag);
    if (index <= 0) continue;
    while (stack.length > index + 1) close(stack);
    close(stack);
  }
  while (stack.length > 1) close(stack);
  return tidy(root.parts.join('')).replaceAll(INDENT, ' ');
}

/** Stands for a space of list-item indentation until the end, so that line trimming keeps it. */
const INDENT = '\u0000';

interface Frame {
  readonly tag: string;
  readonly parts: string[];
  readonly href?: string;
}

const FRAMED: ReadonlySet<string> = new Set(['p', 'li', 'ul', 'ol', 'note', 'important', 'pre', 'a']);
const INLINE: Readonly<Record<string, string>> = { code: '`', b: '**', strong: '**', i: '_', em: '_' };

function inPre(stack: readonly Frame[]): boolean {
  return stack.some((f) => f.tag === 'pre');
}

function close(stack: Frame[]): void {
  const frame = stack.pop();
  const parent = stack[stack.length - 1];
  if (!frame || !parent) return;
  const content = frame.parts.join('');
  const block = tidy(content);
  switch (frame.tag) {
    case 'a':
      parent.parts.push(frame.href ? `[${content.trim()}](${frame.href})` : content);
      break;
    case 'p':
      parent.parts.push(`\n\n${block}\n\n`);
      break;
    case 'li':
      parent.parts.push(`\n- ${block.replace(/\n(?!\n)/g, `\n${INDENT}${INDENT}`)}\n`);
      break;
    case 'ul':
    case 'ol':
      parent.parts.push(`\n\n${block.replace(/\n\n+(?=- )/g, '\n')}\n\n`);
      break;
    case 'note':
    case 'important':
      parent.parts.push(
        `\n\n> **${frame.tag === 'note' ? 'Note' : 'Important'}:** ${block.replace(/\n/g, '\n> ')}\n\n`,
      );
      break;
    case 'pre':
      parent.parts.push(`\n\n\`\`\`\n${content.replace(/^\n+|\s+$/g, '')}\n\`\`\`\n\n`);
      break;
  }
}

/** Trims every line, collapses runs of spaces (outside code fences) and of blank lines. */
function tidy(text: string): string {
  let fenced = false;
  const lines = text.split('\n').map((line) => {
    if (line.trim() === '```') fenced = !fenced;
    return fenced || line.trim() === '```' ? line.trimEnd() : line.replace(/ {2,}/g, ' ').trim();
  });
  return lines
    .join('\n')
    .replace(/\n(?:[ >]*\n){2,}/g, (m) => (m.includes('>') ? '\n>\n' : '\n\n'))
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (m, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10),
        );
    }
  });
}
