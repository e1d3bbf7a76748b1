/**
 * A connection URL as it may be shown (messages, logs, `name`): the password replaced by `***`.
 * A string that does not parse as a URL is shown only by its scheme.
 *
 * @example
 * redactUrl('postgres://app:s3cret@db:5432/sluice') // 'postgres://app:***@db:5432/sluice'
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    return scheme ? `${scheme}://(unparsable URL)` : '(unparsable URL)';
  }
}
