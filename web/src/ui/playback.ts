// Remote media that the browser would not start. Chromium's autoplay policy and Safari (iOS
// above all) refuse an unmuted play() until the page has had a user gesture: a stage's viewer,
// or a page that rejoined by itself, then hears nothing and sees a frozen tile, and nothing says
// why (livekit client-sdk-js#21, twilio-video.js#1250). Each refused element waits here until one
// tap plays them all (tap-to-listen.tsx).

const blocked = new Set<HTMLMediaElement>();
const listeners = new Set<(count: number) => void>();

const changed = () => {
  for (const fn of listeners) fn(blocked.size);
};

/** Plays `el`; if the browser wants a gesture first, keeps it for the next tap. */
export function play(el: HTMLMediaElement): void {
  el.play().then(
    () => forget(el),
    (e: unknown) => {
      // AbortError (a new stream replaced this one mid-start) needs nothing: the new one is played.
      if (e instanceof DOMException && e.name === "NotAllowedError" && el.isConnected) {
        blocked.add(el);
        changed();
      }
    },
  );
}

/** The element is gone or plays another stream: nothing to unblock any more. */
export function forget(el: HTMLMediaElement): void {
  if (blocked.delete(el)) changed();
}

/** From a tap's handler (the gesture the browser waited for): plays every element it refused. */
export function playBlocked(): void {
  const all = [...blocked];
  blocked.clear();
  changed();
  for (const el of all) play(el);
}

export const blockedCount = (): number => blocked.size;

/** Calls `fn` with the number of blocked elements whenever it changes; returns the unsubscribe. */
export function onBlocked(fn: (count: number) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
