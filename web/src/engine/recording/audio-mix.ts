// Every audio track of the recording, mixed into one through WebAudio (FEATURES §7): the recorder
// records the mix's single track, so people joining and leaving, or a microphone switched
// mid-call, change the mix and never the recorder's tracks (MediaRecorder stops, or records
// silence, when a recorded track ends or is replaced).

export class AudioMix {
  private readonly context = new AudioContext();
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly sources = new Map<MediaStreamTrack, MediaStreamAudioSourceNode>();

  constructor() {
    try {
      this.destination = this.context.createMediaStreamDestination();
    } catch (e) {
      // Not left open: a page gets only a few AudioContexts.
      void this.context.close().catch(() => undefined);
      throw e;
    }
  }

  /** The mixed track: silent while there is nothing to mix, never ended until `close()`. */
  get track(): MediaStreamTrack {
    return this.destination.stream.getAudioTracks()[0]!;
  }

  /** Mixes exactly these tracks (the live ones): adds the new, drops the gone. */
  sync(tracks: readonly MediaStreamTrack[]): void {
    // Created in a click's handler it runs; resume() covers a context created suspended.
    if (this.context.state === "suspended") void this.context.resume().catch(() => undefined);
    const live = new Set(tracks.filter((t) => t.kind === "audio" && t.readyState === "live"));
    for (const [track, node] of this.sources) {
      if (live.has(track)) continue;
      node.disconnect();
      this.sources.delete(track);
    }
    for (const track of live) {
      if (this.sources.has(track)) continue;
      const node = this.context.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.destination);
      this.sources.set(track, node);
    }
  }

  get size(): number {
    return this.sources.size;
  }

  close(): void {
    for (const node of this.sources.values()) node.disconnect();
    this.sources.clear();
    this.track.stop();
    void this.context.close().catch(() => undefined);
  }
}
