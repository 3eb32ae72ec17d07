// The page's side of app updates (web/src/shell/register.ts and call-lock.ts) with the browser's
// parts played by small fakes: Web Locks shared across "tabs", a registration and its workers.
// The browser test cannot see an update (one build under the test server), so the rule "no update
// takes over under a call, or under a page that would lose its files" is checked here.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Mode = "shared" | "exclusive";

/** One lock (the app asks for one name), with the Web Locks rules it relies on. */
class FakeLocks {
  readonly held: Mode[] = [];
  private readonly queue: Array<{ mode: Mode; grant: () => void }> = [];

  request<T>(_name: string, options: { mode?: Mode; ifAvailable?: boolean }, callback: (lock: { mode: Mode } | null) => T | Promise<T>): Promise<T> {
    const mode = options.mode ?? "exclusive";
    const now = this.free(mode) && this.queue.length === 0;
    if (options.ifAvailable && !now) return Promise.resolve().then(() => callback(null));
    return new Promise<T>((resolve, reject) => {
      const grant = () => {
        this.held.push(mode);
        void Promise.resolve()
          .then(() => callback({ mode }))
          .then(resolve, reject)
          .finally(() => {
            this.held.splice(this.held.indexOf(mode), 1);
            while (this.queue[0] && this.free(this.queue[0].mode)) this.queue.shift()!.grant();
          });
      };
      if (now) grant();
      else this.queue.push({ mode, grant });
    });
  }

  private free(mode: Mode): boolean {
    return mode === "shared" ? !this.held.includes("exclusive") : this.held.length === 0;
  }

  /** Another tab's hold (a call or a pre-join page there); resolves to its release. */
  async otherTab(): Promise<() => void> {
    let release!: () => void;
    const granted = new Promise<void>((ready) => void this.request("other", { mode: "shared" }, () => new Promise<void>((r) => ((release = r), ready()))));
    await granted;
    return release;
  }
}

/** A service worker: answers "holds" as told (or never), and activates when asked to. */
class FakeWorker extends EventTarget {
  state: ServiceWorkerState = "installed";
  readonly posted: string[] = [];
  constructor(
    private readonly answer: boolean | "never",
    private readonly onSkipWaiting: (w: FakeWorker) => void = () => undefined,
  ) {
    super();
  }
  postMessage(message: { type: string }, ports: MessagePort[] = []): void {
    this.posted.push(message.type);
    if (message.type === "holds" && this.answer !== "never") ports[0]!.postMessage(this.answer);
    if (message.type === "skip-waiting") this.onSkipWaiting(this);
  }
  setState(state: ServiceWorkerState): void {
    this.state = state;
    this.dispatchEvent(new Event("statechange"));
  }
}

/** A tab: its navigator (sharing `locks` with the other tabs), registration and a fresh register.ts. */
async function tab(locks: FakeLocks, waiting: FakeWorker | null) {
  const container = Object.assign(new EventTarget(), { controller: null as FakeWorker | null, register: vi.fn() });
  const reg = Object.assign(new EventTarget(), {
    active: new FakeWorker(true),
    waiting,
    installing: null as FakeWorker | null,
    update: vi.fn(async () => undefined),
  });
  reg.active.state = "activated";
  container.controller = reg.active;
  container.register.mockResolvedValue(reg);
  const reload = vi.fn();
  vi.stubGlobal("navigator", { serviceWorker: container, locks });
  vi.stubGlobal("document", { readyState: "complete" });
  vi.stubGlobal("location", { reload });
  vi.resetModules();
  const shell = await import("../../web/src/shell/register");
  return { shell, reg, container, reload };
}

/** Activation as the browser does it, once a worker calls skipWaiting. */
const activates = (t: Awaited<ReturnType<typeof tab>>) => (w: FakeWorker) =>
  queueMicrotask(() => {
    t.reg.waiting = null;
    t.reg.active = w;
    w.setState("activated");
    t.container.controller = w;
    t.container.dispatchEvent(new Event("controllerchange"));
  });

/** Asked whether it holds this page's script, then to take over (then, active, asked again). */
const expectLetIn = (w: FakeWorker) => expect(w.posted.slice(0, 2)).toEqual(["holds", "skip-waiting"]);

/** Lets pending promises, lock grants and channel messages run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/** A tab with a waiting update that answers `answer` and activates when asked. */
async function tabWithUpdate(locks: FakeLocks, answer: boolean | "never" = true) {
  let t!: Awaited<ReturnType<typeof tab>>;
  const worker = new FakeWorker(answer, (w) => activates(t)(w));
  t = await tab(locks, worker);
  return { ...t, worker };
}

beforeEach(() => {
  vi.stubEnv("PROD", true);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe("an app update", () => {
  it("does not take over during a call, and is asked to once the call ends", async () => {
    const locks = new FakeLocks();
    const t = await tabWithUpdate(locks);
    const endCall = t.shell.holdCallForShell();
    t.shell.startShell();
    await settle();
    expect(t.container.register).toHaveBeenCalledOnce();
    expect(t.worker.posted).toEqual([]);
    expect(t.worker.state).toBe("installed");

    endCall();
    await vi.waitFor(() => expect(t.worker.state).toBe("activated"));
    expectLetIn(t.worker);
    expect(t.reg.update).toHaveBeenCalledOnce();
    // It holds this page's script: nothing to reload for.
    expect(t.reload).not.toHaveBeenCalled();
    expect(locks.held).toEqual([]);
  });

  it("installed during a call, waits for its end", async () => {
    const locks = new FakeLocks();
    const t = await tab(locks, null);
    const endCall = t.shell.holdCallForShell();
    t.shell.startShell();
    await settle();
    const worker = new FakeWorker(true, activates(t));
    t.reg.installing = worker;
    t.reg.dispatchEvent(new Event("updatefound"));
    t.reg.waiting = worker;
    worker.setState("installed");
    await settle();
    expect(worker.posted).toEqual([]);

    endCall();
    await vi.waitFor(() => expectLetIn(worker));
  });

  it("waits while the page is a pre-join screen or /check, which would lose their lazily loaded files", async () => {
    const locks = new FakeLocks();
    const t = await tabWithUpdate(locks);
    t.shell.setShellPage("room");
    t.shell.startShell();
    await settle();
    t.shell.setShellPage("check");
    await settle();
    expect(t.worker.posted).toEqual([]);
    expect(locks.held).toEqual(["shared"]);

    t.shell.setShellPage("landing");
    await vi.waitFor(() => expectLetIn(t.worker));
  });

  it("waits for another tab's call or page, through the shared lock", async () => {
    const locks = new FakeLocks();
    const releaseOther = await locks.otherTab();
    const t = await tabWithUpdate(locks);
    t.shell.startShell();
    await settle();
    expect(t.worker.posted).toEqual([]);

    releaseOther();
    // The next occasion in this tab (here: a trip to /check and back) lets it in.
    t.shell.setShellPage("check");
    t.shell.setShellPage("landing");
    await vi.waitFor(() => expectLetIn(t.worker));
  });

  it("reloads a landing page that runs the old build, once the new one is active", async () => {
    const t = await tabWithUpdate(new FakeLocks(), false);
    t.shell.startShell();
    await vi.waitFor(() => expect(t.reload).toHaveBeenCalledOnce());
    expect(t.worker.state).toBe("activated");
  });

  it("gives the lock back when the waiting worker never answers, and does not let it in", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const locks = new FakeLocks();
    const t = await tabWithUpdate(locks, "never");
    t.shell.startShell();
    await settle();
    expect(t.worker.posted).toEqual(["holds"]);
    expect(locks.held).toEqual(["exclusive"]);
    // A tab joining meanwhile only queues its hold.
    let otherGranted = false;
    void locks.otherTab().then(() => (otherGranted = true));
    await settle();
    expect(otherGranted).toBe(false);

    await vi.advanceTimersByTimeAsync(t.shell.ANSWER_MS);
    await settle();
    expect(otherGranted).toBe(true);
    expect(locks.held).toEqual(["shared"]);
    expect(t.worker.posted).toEqual(["holds"]);
    expect(t.worker.state).toBe("installed");
  });
});
