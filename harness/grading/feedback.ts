/**
 * One feedback page per student, as Markdown and as HTML: the score, why grading stopped if it did, the compiler's
 * errors if the module did not build, and per criterion what was expected and what was observed, with the timing
 * diagram of the pin against the prediction (SVG files beside the Markdown, inline in the HTML).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedAssignment } from './assignments.js';
import type { CriterionResult, SubmissionResult } from './results.js';
import { escapeXml } from '../signals/xml.js';
import { MARK_STYLE, markHtml, markMarkdown, passOrFail } from './marks.js';

/** A fence longer than any backtick run in the text, so student-influenced text cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

/** Inline Markdown: characters that would start markup are escaped. */
function inline(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
}

const mark = (c: CriterionResult): string => markMarkdown(passOrFail(c.passed));
const markTag = (c: CriterionResult): string => markHtml(passOrFail(c.passed));

function stateLine(result: SubmissionResult): string | undefined {
  if (result.status === 'error') return 'Your submission could not be graded because the grading harness failed; it will be graded again. Nothing here counts against you.';
  if (result.ended) return `Grading stopped early: ${result.ended}.`;
  return undefined;
}

export function feedbackMarkdown(result: SubmissionResult, loaded: LoadedAssignment): string {
  const { assignment } = loaded;
  const parts = [`# ${assignment.name}: ${assignment.title}`, '', `Feedback for **${inline(result.student)}**.`, ''];
  parts.push(result.status === 'error' ? '**Score: not graded**' : `**Score: ${result.score} / ${result.max}**`, '');
  const state = stateLine(result);
  if (state) parts.push(`> ${inline(state)}`, '');
  if (!result.build.ok && result.build.errors) parts.push('## Build', '', 'The module did not compile. The compiler said:', '', fenced(result.build.errors), '');
  if (result.criteria.length) {
    parts.push('## Criteria', '', '| | Criterion | Points |', '|---|---|---|');
    for (const c of result.criteria) parts.push(`| ${mark(c)} | ${inline(c.name)} | ${c.earned} / ${c.points} |`);
    parts.push('');
    for (const c of result.criteria) {
      parts.push(`### ${mark(c)} ${inline(c.name)} (${c.earned} / ${c.points})`, '', `- **Expected:** ${inline(c.expected)}`, `- **Observed:** ${inline(c.observed)}`, '');
      if (c.note) parts.push(fenced(c.note), '');
      for (const d of c.diagrams) parts.push(`![${inline(d.title)}](${encodeURIComponent(result.student)}/${encodeURIComponent(d.file)})`, '');
    }
  }
  parts.push('---', `Graded ${result.gradedAt} by pinrig. Timing is judged on the median over many periods (the emulated machine adds jitter to single intervals).`);
  return parts.join('\n') + '\n';
}

export async function feedbackHtml(result: SubmissionResult, loaded: LoadedAssignment, feedbackDir: string): Promise<string> {
  const { assignment } = loaded;
  const body: string[] = [`<h1>${escapeXml(`${assignment.name}: ${assignment.title}`)}</h1>`, `<p>Feedback for <strong>${escapeXml(result.student)}</strong>.</p>`];
  body.push(`<p class="score">${result.status === 'error' ? 'Score: not graded' : `Score: ${result.score} / ${result.max}`}</p>`);
  const state = stateLine(result);
  if (state) body.push(`<p class="stopped">${escapeXml(state)}</p>`);
  if (!result.build.ok && result.build.errors) body.push('<h2>Build</h2>', '<p>The module did not compile. The compiler said:</p>', `<pre>${escapeXml(result.build.errors)}</pre>`);
  if (result.criteria.length) {
    body.push('<h2>Criteria</h2>', '<table><tr><th></th><th>Criterion</th><th>Points</th></tr>');
    for (const c of result.criteria) body.push(`<tr><td>${markTag(c)}</td><td>${escapeXml(c.name)}</td><td>${c.earned} / ${c.points}</td></tr>`);
    body.push('</table>');
    for (const c of result.criteria) {
      body.push(`<h3>${markTag(c)} ${escapeXml(c.name)} (${c.earned} / ${c.points})</h3>`, '<dl>', `<dt>Expected</dt><dd>${escapeXml(c.expected)}</dd>`, `<dt>Observed</dt><dd>${escapeXml(c.observed)}</dd>`, '</dl>');
      if (c.note) body.push(`<pre>${escapeXml(c.note)}</pre>`);
      // Our own SVG (svg.ts escapes every text it draws), inlined so the page stands alone.
      for (const d of c.diagrams) body.push(`<figure>${await readFile(path.join(feedbackDir, result.student, d.file), 'utf8')}<figcaption>${escapeXml(d.title)}</figcaption></figure>`);
    }
  }
  body.push(`<footer>Graded ${escapeXml(result.gradedAt)} by pinrig. Timing is judged on the median over many periods (the emulated machine adds jitter to single intervals).</footer>`);
  const style = 'body{font:14px sans-serif;max-width:1200px;margin:2em auto;color:#24292f}.score{font-size:1.4em;font-weight:bold}.stopped{background:#fff8c5;padding:.5em}pre{background:#f6f8fa;padding:.7em;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3em .6em}dt{font-weight:bold}figure{margin:1em 0}svg{max-width:100%;height:auto}' + MARK_STYLE;
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(`${assignment.name}: ${result.student}`)}</title><style>${style}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}

export async function writeFeedback(result: SubmissionResult, loaded: LoadedAssignment, feedbackDir: string): Promise<{ markdown: string; html: string }> {
  const markdown = path.join(feedbackDir, `${result.student}.md`);
  const page = path.join(feedbackDir, `${result.student}.html`);
  await writeFile(markdown, feedbackMarkdown(result, loaded));
  await writeFile(page, await feedbackHtml(result, loaded, feedbackDir));
  return { markdown, html: page };
}
