import Synchronization

/// A fast random number generator for sampling and traffic splitting, not for secrets:
/// SplitMix64 over one atomic counter seeded from the system's generator, safe from any thread.
/// `SystemRandomNumberGenerator` makes a system call per number on Linux, which shows up when
/// it runs on every request.
public struct SplitMixRandom: RandomNumberGenerator, Sendable {
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    public init() {}

    public mutating func next() -> UInt64 {
        var mixed = Self.state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
