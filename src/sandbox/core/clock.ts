/**
 * Each org's notion of "now": the real clock plus an offset an admin call can move. Tests use it to
 * age tokens, walk past replication windows and expire limits without sleeping.
 */
export class SandboxClock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  setOffset(ms: number): void {
    this.offset = ms;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
