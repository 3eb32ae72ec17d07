// Types for `env` and `exports` from "cloudflare:workers" inside the workerd tests.
type RoomlinkEnv = import("../../worker/env").Env;

declare namespace Cloudflare {
  interface Env extends RoomlinkEnv {}
  interface GlobalProps {
    mainModule: typeof import("../../worker/index");
    durableNamespaces: "RoomDO";
  }
}
