// multipart/form-data bodies of the token endpoint: Zoho's own SDK posts its token form that way
// (docs/vendors/zoho.md "OAuth"); Bulk Write uploads its zip as a file part ("Bulk Write")

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

/**
 * The bytes of the file part `name` of a multipart/form-data body, read as bytes (a zip is no text);
 * undefined when the body has no such part.
 */
export function formFile(body: Buffer, boundary: string, name: string): Buffer | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) return undefined;
    const part = body.subarray(at + delimiter.length, next);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('latin1');
      const partName = /content-disposition:[^\n]*\bname="([^"]*)"/i.exec(head)?.[1];
      // The part ends with the CRLF that precedes the next delimiter.
      if (partName === name) return part.subarray(split + 4, part.length - 2);
    }
    at = next;
  }
  return undefined;
}
