import { describe, expect, it } from 'vitest';
import { pageHeaders, type PageKind } from '../../src/server/pageHeaders.js';

const KINDS: PageKind[] = ['page', 'token', 'console', 'embedded', 'document'];

describe('pageHeaders: the security headers of every kind of page, declared once', () => {
  it.each(KINDS)('%s: no script, nothing external, framing stated, no sniffing, no caching', (kind) => {
    const h = pageHeaders(kind);
    const csp = h['content-security-policy']!;
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).not.toMatch(/script-src|unsafe-eval|https?:/);
    expect(csp).toMatch(/frame-ancestors '(none|self)'/);
    expect(h['x-frame-options']).toBe(csp.includes("frame-ancestors 'self'") ? 'SAMEORIGIN' : 'DENY');
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['cache-control']).toBe('no-store');
  });

  it('a page opened from an approval link never sends its address (with the token) as a referrer', () => {
    expect(pageHeaders('token')['referrer-policy']).toBe('no-referrer');
  });

  it('a report embedded in the console is sandboxed', () => {
    expect(pageHeaders('embedded')['content-security-policy']).toMatch(/; sandbox$/);
  });
});
