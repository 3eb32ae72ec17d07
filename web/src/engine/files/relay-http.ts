// The HTTP half of files relayed through the room's bucket (protocol/features/file-relay.ts): the
// sender's PUT and the recipient's GET. Behind an interface, so that the transfer logic
// (relay-outgoing.ts, relay-incoming.ts) is unit-tested without a network.
//
// The upload is an XMLHttpRequest: fetch reports no upload progress, and a streamed fetch body
// needs HTTP/2, which `wrangler dev` does not speak. The download is a fetch: its body streams,
// so the recipient hashes and writes it block by block, whatever its size.

export interface RelayHttp {
  /** PUTs `body` to `url`, reporting the bytes sent; resolves with the HTTP status (0: no answer). Aborts with `signal`. */
  upload(url: string, body: Blob, onProgress: (sent: number) => void, signal: AbortSignal): Promise<number>;
  /** GETs `url` from byte `from` on (a Range past 0); rejects when `signal` aborts. */
  download(url: string, from: number, signal: AbortSignal): Promise<{ status: number; body: ReadableStream<Uint8Array> | null }>;
}

export function browserRelayHttp(fetchFn: typeof fetch): RelayHttp {
  return {
    upload(url, body, onProgress, signal) {
      return new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open("PUT", url);
        xhr.upload.onprogress = (e) => onProgress(e.loaded);
        xhr.onload = () => resolve(xhr.status);
        xhr.onerror = () => resolve(0);
        xhr.onabort = () => resolve(0);
        signal.addEventListener("abort", () => xhr.abort(), { once: true });
        xhr.send(body);
      });
    },
    async download(url, from, signal) {
      const res = await fetchFn(url, { signal, cache: "no-store", ...(from > 0 ? { headers: { Range: `bytes=${from}-` } } : {}) });
      return { status: res.status, body: res.body };
    },
  };
}
