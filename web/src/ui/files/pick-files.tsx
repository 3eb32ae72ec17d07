// A button that opens the system's file picker: a hidden <input type="file" multiple> behind a
// button that looks like the rest of the app (a file input cannot be styled, and its own label
// would say "No file chosen" in the browser's language, not the page's).

import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";

interface PickFilesProps {
  onPick: (files: File[]) => void;
  /** The button's name; for an icon-only button also its tooltip. */
  label: string;
  /** The button shows an icon only: `label` becomes its aria-label and title. */
  iconOnly?: boolean;
  class?: string;
  testid: string;
  inputTestid: string;
  children: ComponentChildren;
}

export function PickFiles({ onPick, label, iconOnly = false, class: cls, testid, inputTestid, children }: PickFilesProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class={cls} aria-label={iconOnly ? label : undefined} title={iconOnly ? label : undefined} onClick={() => input.current?.click()} data-testid={testid}>
        {children}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid={inputTestid}
        onChange={(e) => {
          const el = e.currentTarget;
          const files = Array.from(el.files ?? []);
          // Emptied so that picking the same file again (after a decline, say) is a change too.
          el.value = "";
          if (files.length > 0) onPick(files);
        }}
      />
    </>
  );
}
