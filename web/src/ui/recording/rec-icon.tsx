// The recording's own icons, in icons.tsx's style (24×24, stroke = currentColor): a filled dot in
// a ring to record, a square to stop.

export function RecIcon({ stop = false }: { stop?: boolean }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      {stop ? (
        <rect x="7" y="7" width="10" height="10" rx="1.5" fill="currentColor" />
      ) : (
        <>
          <circle cx="12" cy="12" r="8" />
          <circle cx="12" cy="12" r="4" fill="currentColor" />
        </>
      )}
    </svg>
  );
}
