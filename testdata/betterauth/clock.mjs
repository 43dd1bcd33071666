// A controllable clock: Date.now() and new Date() read `now`, so vectors
// come out the same on every run (tokens and ids stay random). Instances made
// by native code (structuredClone) are real Dates, hence hasInstance.
const RealDate = globalThis.Date;
let now = RealDate.now();

class FakeDate extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(now);
		else super(...args);
	}
	static now() {
		return now;
	}
	static [Symbol.hasInstance](x) {
		return x instanceof RealDate;
	}
}

export function installClock(ms) {
	now = ms;
	globalThis.Date = FakeDate;
}

export function setNow(ms) {
	now = ms;
}

export function getNow() {
	return now;
}
