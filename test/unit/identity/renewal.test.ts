// The renewal notices a preview prints: due inside renewBeforeHours of the end, a warning once expired, nothing
// otherwise.
import { recordedExpiry, renewalNotices } from "../../../lib/identity/renewal";

const user = (name: string, renewBeforeHours: number) =>
    ({ name, authentication: "x509" as const, groups: [], validityHours: 24, renewBeforeHours, key: { algorithm: "RSA" as const } });

describe("renewalNotices", () => {
    const now = new Date("2026-12-02T12:00:00Z");
    test.each([
        ["outside the window", "2026-12-03T12:00:00Z", 8, []],
        ["one second before the window opens", "2026-12-02T20:00:01Z", 8, []],
        ["the window just opened", "2026-12-02T20:00:00Z", 8, ["info"]],
        ["inside the window", "2026-12-02T13:00:00Z", 8, ["info"]],
        ["expired", "2026-12-02T11:59:59Z", 8, ["warning"]],
        ["expires this instant", "2026-12-02T12:00:00Z", 8, ["warning"]],
    ])("%s", (_label, notAfter, renewBefore, severities) => {
        const notices = renewalNotices({ alice: notAfter }, [user("alice", renewBefore)], now);
        expect(notices.map(n => n.severity)).toEqual(severities);
        for (const n of notices) expect(n.message).toContain("user alice");
    });

    test("the message says when the window opened and why", () => {
        const [notice] = renewalNotices({ bob: "2026-12-02T14:00:00Z" }, [user("bob", 8)], now);
        expect(notice.message).toBe("the certificate of user bob ends at 2026-12-02T14:00:00.000Z; its renewal window " +
            "(renewBeforeHours 8) opened at 2026-12-02T06:00:00.000Z: this update reissues it");
    });

    test("new users and users no longer configured get no notice", () => {
        expect(renewalNotices({ gone: "2020-01-01T00:00:00Z" }, [user("new", 8)], now)).toEqual([]);
    });
});

describe("recordedExpiry", () => {
    test.each([
        [undefined, {}],
        [{}, {}],
        [{ certificateExpiry: "x" }, {}],
        [{ certificateExpiry: { a: "2026-01-01T00:00:00Z", b: 3 } }, { a: "2026-01-01T00:00:00Z" }],
    ])("%j", (outputs, expected) => expect(recordedExpiry(outputs)).toEqual(expected));
});
