// What the room object answers over HTTP while its id names no room: never created here, or
// deleted after standing empty. The socket route and the voice routes say it alike.

export const noRoom = (): Response =>
  Response.json({ error: "no such room: it was never created here, or it was deleted after standing empty", status: 404 }, { status: 404 });
