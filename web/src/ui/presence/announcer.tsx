// One polite live region for the call, mounted once (room.tsx): screen readers hear who speaks now
// (at most once per 3 s), messages from others (cut short), joins and leaves in a small room, and
// hands raised in a meeting (a stage's hosts hear those from the stage notices already). Each
// sentence is a new line in the region, so that the same words twice are still said twice.

import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatItem } from "../../engine/features/chat-state";
import { useI18n } from "../hooks";
import { type Announcement, chatAnnouncements, handAnnouncements, JOINS_UP_TO, markSeen, SpeakerThrottle } from "./announcements";

/** Lines kept in the region: the newest are what matters; the rest only keep it from churning. */
const KEEP = 4;

interface AnnouncerProps {
  activeSpeaker: string | null;
  chat: readonly ChatItem[];
  hands: readonly string[];
  /** Hands are said in a meeting; on a stage its notices do that. */
  meeting: boolean;
  selfId: string | null;
  /** When we joined, on the room's clock: the chat's history from before is not said. */
  joinedAt: number | null;
  labels: ReadonlyMap<string, string>;
  /** Everyone in the call, this device included: joins and leaves are said only in a small room. */
  count: number;
}

interface Line {
  id: number;
  text: string;
}

export function Announcer({ activeSpeaker, chat, hands, meeting, selfId, joinedAt, labels, count }: AnnouncerProps) {
  const { t } = useI18n();
  const [lines, setLines] = useState<Line[]>([]);
  const counter = useRef(0);
  // Read by the throttle's timer, which outlives the render that set it.
  const latest = useRef({ t, labels });
  latest.current = { t, labels };
  const add = (said: Announcement[]) => {
    if (said.length === 0) return;
    const fresh = said.map((a) => ({ id: ++counter.current, text: latest.current.t(a.key, a.params) }));
    setLines((old) => [...old, ...fresh].slice(-KEEP));
  };

  const [throttle] = useState(() => new SpeakerThrottle((id) => {
    const name = latest.current.labels.get(id);
    if (name) add([{ key: "announce.speaking", params: { name } }]);
  }));
  useEffect(() => () => throttle.dispose(), [throttle]);
  useEffect(() => throttle.next(activeSpeaker), [activeSpeaker]);

  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (seen.current === null) {
      seen.current = new Set();
      markSeen(chat, seen.current);
      return;
    }
    add(chatAnnouncements(chat, seen.current, selfId, labels, count <= JOINS_UP_TO, joinedAt));
  }, [chat]);

  const handsBefore = useRef(hands);
  useEffect(() => {
    // Before the welcome's own update (selfId comes after the stage's), the hands are the room's as we found it: no news.
    if (meeting && joinedAt !== null) add(handAnnouncements(handsBefore.current, hands, selfId, labels));
    handsBefore.current = hands;
  }, [hands]);

  return (
    <div class="sr-only" aria-live="polite" data-testid="announcer">
      {lines.map((l) => <p key={l.id}>{l.text}</p>)}
    </div>
  );
}
