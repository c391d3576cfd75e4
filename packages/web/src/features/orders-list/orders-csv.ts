/**
 * "Download CSV": `GET /orders.csv` with the list's own URL parameters and the tab's bearer
 * token (a plain link could not send the header), saved through a Blob.
 */

export type CsvDownload =
  { ok: true; blob: Blob; filename: string } | { ok: false; message: string };

const FALLBACK_NAME = 'orders.csv';

/** The file name a `Content-Disposition: attachment; filename="…"` header gives, or a default. */
export function filenameOf(contentDisposition: string | null): string {
  const match = /filename="([^"]+)"/i.exec(contentDisposition ?? '');
  // Only a plain name: nothing that could point into another folder.
  const name = match?.[1]?.replace(/[/\\]/g, '_').trim() ?? '';
  return name === '' ? FALLBACK_NAME : name;
}

/** The words of the endpoint's 400 answer: `{ error: { message, fields: [{ field, message }] } }`. */
async function refusal(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as {
      error?: { message?: unknown; fields?: { field?: unknown; message?: unknown }[] };
    };
    const fields = (body.error?.fields ?? [])
      .filter((f) => typeof f.field === 'string' && typeof f.message === 'string')
      .map((f) => `${String(f.field)} ${String(f.message)}`);
    if (fields.length > 0) return `The export was refused: ${fields.join('; ')}.`;
    if (typeof body.error?.message === 'string') {
      return `The export was refused: ${body.error.message}`;
    }
  } catch {
    // Not the JSON the endpoint answers with; say what can be said.
  }
  return `The export was refused (HTTP ${response.status}).`;
}

/** Asks for the CSV of a list; resolves to the file or to what went wrong, in words. */
export async function fetchOrdersCsv(
  url: string,
  authorization: string | null,
  fetchFn: typeof fetch = fetch,
): Promise<CsvDownload> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      headers: {
        accept: 'text/csv',
        ...(authorization === null ? {} : { authorization }),
      },
    });
  } catch {
    return {
      ok: false,
      message: 'Could not reach the orders service. Check your connection and try again.',
    };
  }
  if (response.status === 400) return { ok: false, message: await refusal(response) };
  if (response.status === 401 || response.status === 403) {
    return {
      ok: false,
      message: `The orders service refused the export (HTTP ${response.status}): check your access token.`,
    };
  }
  if (!response.ok) {
    return {
      ok: false,
      message: `The orders service could not make the export (HTTP ${response.status}). Try again later.`,
    };
  }
  try {
    const blob = await response.blob();
    return { ok: true, blob, filename: filenameOf(response.headers.get('content-disposition')) };
  } catch {
    return { ok: false, message: 'The export stopped before it was complete. Try again.' };
  }
}

/** Saves a file the page holds, as a download, through a temporary object URL and link. */
export function saveFile(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The click has handed the file to the browser; revoke once it has started reading it.
    setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 10_000);
  }
}
