// Files dragged onto the call: while files (not text, not a link) are dragged over the room, an
// overlay says that dropping sends them to everyone; a drop sends them. Alone in the room there is
// nobody to send to, and no overlay.
//
// Enter and leave are counted because dragleave also fires when the pointer moves from the room
// onto one of its own children (and dragenter for the child first): a flag would flicker, and
// would turn off while the pointer is still over the call.

import type { HTMLAttributes } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../hooks";
import { Icon } from "../icons";

type DropHandlers = Pick<HTMLAttributes<HTMLElement>, "onDragEnter" | "onDragOver" | "onDragLeave" | "onDrop">;

/** Only a drag that carries files: text or a link dragged across the page is not ours. */
const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;

/** The files of a drop; a dropped folder is left out (its File cannot be read), where the browser tells folders apart. */
function droppedFiles(data: DataTransfer): File[] {
  const items = Array.from(data.items);
  if (items.length === 0) return Array.from(data.files);
  const files: File[] = [];
  for (const item of items) {
    if (item.kind !== "file" || item.webkitGetAsEntry?.()?.isDirectory) continue;
    const file = item.getAsFile();
    if (file) files.push(file);
  }
  return files;
}

/**
 * The room's drop target: spread `handlers` on its element, show <DropOverlay> while `dragging`.
 * `onFiles` null: nobody to send to.
 */
export function useFileDrop(onFiles: ((files: File[]) => void) | null): { dragging: boolean; handlers: DropHandlers } {
  const depth = useRef(0);
  const [dragging, setDragging] = useState(false);
  const enabled = onFiles !== null;
  const reset = () => {
    depth.current = 0;
    setDragging(false);
  };

  useEffect(() => {
    if (!enabled) reset();
  }, [enabled]);

  useEffect(() => {
    // A file dropped where nothing takes it is opened by the browser, in this tab: the call would
    // be gone. So the page refuses every file drop the room has not taken (the cursor says so).
    const refuse = (e: DragEvent) => {
      if (!carriesFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "none";
    };
    const dropped = (e: DragEvent) => {
      if (carriesFiles(e)) e.preventDefault();
      reset();
    };
    addEventListener("dragover", refuse);
    addEventListener("drop", dropped);
    return () => {
      removeEventListener("dragover", refuse);
      removeEventListener("drop", dropped);
    };
  }, []);

  const handlers: DropHandlers = {
    onDragEnter: (e) => {
      if (!enabled || !carriesFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (e) => {
      if (!enabled || !carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e) => {
      if (!enabled || !carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e) => {
      if (!onFiles || !carriesFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      reset();
      const files = droppedFiles(e.dataTransfer);
      if (files.length > 0) onFiles(files);
    },
  };
  return { dragging: enabled && dragging, handlers };
}

/** Over the whole call while files are dragged onto it; it takes no pointer events, so the drop lands on the room. */
export function DropOverlay() {
  const { t } = useI18n();
  return (
    <div class="file-drop" data-testid="file-drop">
      <p>
        <Icon name="file" />
        {t("files.drop")}
      </p>
    </div>
  );
}
