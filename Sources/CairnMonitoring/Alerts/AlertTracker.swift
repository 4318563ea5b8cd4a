/// One monitor's state between checks: a breach starts a pending period, the alert fires once it
/// has lasted the condition's duration, stays firing (told once) while breached, and resolves on
/// the first check that is not. A check without enough data changes nothing.
public struct AlertTracker: Sendable, Equatable {
    public enum Transition: Sendable, Equatable {
        case fire
        case resolve
    }

    /// When the current breach began (milliseconds), while pending or firing.
    public private(set) var breachedSince: Int64?
    public private(set) var firing: Bool

    public init(firing: Bool = false, breachedSince: Int64? = nil) {
        self.firing = firing
        self.breachedSince = breachedSince
    }

    /// Takes one check's outcome (nil: no verdict) at `now`; says what changed, if anything.
    public mutating func observe(breached: Bool?, at now: Int64, holdMilliseconds: Int64) -> Transition? {
        guard let breached else { return nil }
        guard breached else {
            breachedSince = nil
            guard firing else { return nil }
            firing = false
            return .resolve
        }
        let since = breachedSince ?? now
        breachedSince = since
        guard !firing, now - since >= holdMilliseconds else { return nil }
        firing = true
        return .fire
    }
}
