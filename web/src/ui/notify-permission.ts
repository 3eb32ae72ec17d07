// The system notification for a knock needs the browser's permission. It is asked for once, at
// the moment a host turns "ask to join" on (the landing page's box or the room's settings): then
// the person sees why it is wanted. Never on page load, where browsers (rightly) punish it.

export function askNotificationPermission(): void {
  if (typeof Notification === "undefined" || Notification.permission !== "default") return;
  // Refused or dismissed, the lobby still works: the ring and the tab title still say it.
  void Notification.requestPermission().catch(() => undefined);
}
