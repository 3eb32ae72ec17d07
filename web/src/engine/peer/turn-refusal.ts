// Notices the TURN server refusing our credentials: a 401 during gathering and no relay
// candidate at its end. Chromium then leaves a relay-only connection in `new` forever, with no
// error of its own, so this is the only signal there will be.

import { listen } from "../listen";

export class TurnRefusal {
  private relayCandidates = 0;
  private authErrors = 0;
  private readonly unlisten: () => void;

  constructor(
    private readonly pc: Pick<RTCPeerConnection, "iceGatheringState" | "addEventListener" | "removeEventListener">,
    private readonly refused: () => void,
  ) {
    this.unlisten = listen(pc, {
      icecandidate: this.onCandidate,
      icecandidateerror: this.onCandidateError,
      icegatheringstatechange: this.onGatheringState,
    });
  }

  close(): void {
    this.unlisten();
  }

  private readonly onCandidate = (e: RTCPeerConnectionIceEvent) => {
    if (e.candidate?.type === "relay") this.relayCandidates++;
  };

  private readonly onCandidateError = (e: RTCPeerConnectionIceErrorEvent) => {
    // 401 Unauthorized: wrong or expired credentials (RFC 8656 §7.3); 403 is a refused peer address.
    if (e.errorCode === 401) this.authErrors++;
  };

  private readonly onGatheringState = () => {
    if (this.pc.iceGatheringState === "gathering") {
      this.relayCandidates = 0;
      this.authErrors = 0;
    } else if (this.pc.iceGatheringState === "complete" && this.relayCandidates === 0 && this.authErrors > 0) {
      this.refused();
    }
  };
}
