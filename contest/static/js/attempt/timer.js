// The server's clock is the only clock: the countdown runs from the attempt's deadline plus the offset between
// the server and this device, measured from replies.

export const ANNOUNCE_AT = [[300, "left_5min"], [60, "left_1min"], [10, "left_10s"]];

// offset = server time - this device's time, from the reply with the shortest round trip. time_sync replies win
// over the server_now of attempt replies, which are used only without them (over HTTP).
export class Clock {
  constructor(deviceNow = () => Date.now()) {
    this.deviceNow = deviceNow;
    this.offset = null;
    this.rtt = Infinity;
    this.synced = false;
  }

  now() { return this.deviceNow() + (this.offset || 0); }

  sample(serverNow, sentAt, receivedAt, fromSync) {
    if (this.synced && !fromSync) return;
    const rtt = receivedAt - sentAt;
    if (fromSync && !this.synced) { this.synced = true; this.rtt = Infinity; }
    if (this.offset === null || rtt <= this.rtt) {
      this.rtt = rtt;
      this.offset = serverNow + rtt / 2 - receivedAt;
    }
  }
}

// What the countdown shows `now` (server ms) for `deadline` (server ms), and when to look again: just after the
// next whole second.
export function countdown(deadline, now) {
  const left = Math.max(0, deadline - now);
  const seconds = Math.ceil(left / 1000);
  const minutes = Math.floor(seconds / 60);
  return {
    left,
    seconds,
    text: `${minutes}:${String(seconds % 60).padStart(2, "0")}`,
    low: seconds <= 60,
    nextTickMs: (left % 1000) + 20,
  };
}

// The notices due at `seconds` left that `announced` (a Set, updated) has not had yet, in the order of ANNOUNCE_AT.
export function dueAnnouncements(seconds, announced) {
  const due = [];
  ANNOUNCE_AT.forEach(([limit, key]) => {
    if (seconds <= limit && !announced.has(key)) {
      announced.add(key);
      due.push(key);
    }
  });
  return due;
}
