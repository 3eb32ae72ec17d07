// Reads a recording's slice into one buffer that the OPFS worker keeps for the whole recording,
// instead of `slice.arrayBuffer()`, which gives each 2 s slice a buffer of its own.
//
// Why: those buffers are garbage as soon as the slice is written, but the worker runs almost no
// JavaScript, so V8 seldom collects there, and its backing stores stay in the renderer: measured
// on 2 December (memory-infra, a page outside the app recording 60 s), `partition_alloc/array_buffer`
// held 12 MiB with the recording against 3 without, about every slice written so far. Over a long
// recording that grows until V8's external-memory limit forces a collection (tens of MiB).
//
// A byte stream's BYOB reader fills the buffer we hand it (Chromium, Firefox, Node); where
// `Blob.stream()` is no byte stream (getReader throws), the slice is read whole as before.

/** How much of a slice is read at a time: 1 MiB, above a 2 s slice at the composite's bitrate. */
export const READ_BUFFER_BYTES = 1 << 20;

/**
 * Calls `write` with the slice's bytes in order, chunk by chunk (each chunk is valid only during
 * its call), and returns the buffer to pass next time: a BYOB read hands back the buffer it was
 * given (transferred), so the caller's old reference is detached.
 */
export async function readSlice(slice: Blob, buffer: ArrayBuffer, write: (bytes: Uint8Array) => void): Promise<ArrayBuffer> {
  // A call that threw midway left the caller holding a detached buffer (its byteLength is 0).
  if (buffer.byteLength === 0) buffer = new ArrayBuffer(READ_BUFFER_BYTES);
  let reader: ReadableStreamBYOBReader;
  try {
    reader = slice.stream().getReader({ mode: "byob" });
  } catch {
    write(new Uint8Array(await slice.arrayBuffer()));
    return buffer;
  }
  try {
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      // At the end the stream hands back the (empty) view of our buffer, or nothing if it was
      // cancelled; a buffer lost that way is replaced.
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done) break;
      write(value);
    }
  } finally {
    reader.releaseLock();
  }
  return buffer.byteLength > 0 ? buffer : new ArrayBuffer(READ_BUFFER_BYTES);
}
