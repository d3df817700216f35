import { describe, expect, it } from 'vitest';
import { htmlToMarkdown } from './html-to-markdown.js';

describe('htmlToMarkdown', () => {
  it('converts paragraphs, code, links and emphasis', () => {
    expect(
      htmlToMarkdown(
        '<p>Creates a <code>mesh</code>.</p> <p>See <a href="https://example.com/x">the <i>guide</i></a> and <b>this</b>.</p>',
      ),
    ).toBe('Creates a `mesh`.\n\nSee [the _guide_](https://example.com/x) and **this**.');
  });

  it('converts lists, notes and preformatted text', () => {
    expect(htmlToMarkdown('<p>Values:</p> <ul> <li> <p> <b>a</b> – one</p> </li> <li> <p>two</p> </li> </ul>')).toBe(
      'Values:\n\n- **a** – one\n- two',
    );
    expect(htmlToMarkdown('<note> <p>Careful &lt;here&gt;.</p> </note>')).toBe('> **Note:** Careful <here>.');
    expect(htmlToMarkdown('<pre><code>a  b\n  c</code></pre>')).toBe('```\na  b\n  c\n```');
  });

  it('drops the empty zonbook/xhtml placeholders', () => {
    expect(htmlToMarkdown('<zonbook></zonbook><xhtml></xhtml>')).toBe('');
  });
});
