// multipart/form-data bodies of the token endpoint: Zoho's own SDK posts its token form that way
// (docs/vendors/zoho.md "OAuth"). Only plain text fields are read; file parts are skipped.

export function formBoundary(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  return m ? m[2].trim() : undefined;
}

/** The text fields of a multipart/form-data body (the last value wins for a repeated name). */
export function parseFormData(body: string, boundary: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`)) {
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) continue;
    const head = part.slice(0, split.index);
    const name = /content-disposition:[^\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (!name || /\bfilename=/i.test(head)) continue;
    out[name] = part.slice(split.index + split[0].length).replace(/\r?\n$/, '');
  }
  return out;
}
