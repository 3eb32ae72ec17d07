// A WAV file for Chromium's fake microphone (--use-file-for-fake-audio-capture, which loops it):
// a tone, then silence, repeating. Chromium's built-in fake mic beeps for 20 ms every 500 ms,
// which never ends a speaking hangover (1 s) and so never gives a fresh onset to time; this one
// does: each burst is an onset, and the silence after it is longer than the hangover.

import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ToneOptions {
  toneMs?: number;
  silenceMs?: number;
  /** Peak amplitude, 0..1 of full scale. */
  amplitude?: number;
  hz?: number;
}

const RATE = 48_000;

/** Writes the WAV (16-bit mono, 48 kHz) and returns its path. */
export async function toneWav({ toneMs = 1000, silenceMs = 2000, amplitude = 0.3, hz = 440 }: ToneOptions = {}): Promise<string> {
  const toneSamples = Math.round((RATE * toneMs) / 1000);
  const samples = toneSamples + Math.round((RATE * silenceMs) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < toneSamples; i++) {
    // 5 ms ramps: a click at the edges would be a burst of its own.
    const ramp = Math.min(1, i / (RATE * 0.005), (toneSamples - i) / (RATE * 0.005));
    // Swelling at 4 Hz, as syllables do: a steady tone is what a noise suppressor learns to remove.
    const swell = 0.7 + 0.3 * Math.sin((2 * Math.PI * 4 * i) / RATE);
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / RATE) * amplitude * ramp * swell * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(16, 16); // PCM chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  const path = join(tmpdir(), `roomlink-tone-${toneMs}-${silenceMs}-${process.pid}.wav`);
  await writeFile(path, Buffer.concat([header, data]));
  return path;
}
