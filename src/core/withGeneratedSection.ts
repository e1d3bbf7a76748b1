/**
 * `doc` with the text between its `begin` and `end` markers replaced by `body` (a generated
 * table, `npm run docs`); `name` names the document in the error when a marker is missing.
 */
export function withGeneratedSection(doc: string, name: string, begin: string, end: string, body: string): string {
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${name} lacks the markers ${begin} ... ${end}`);
  return `${doc.slice(0, a)}${begin}\n${body}\n${doc.slice(b)}`;
}
