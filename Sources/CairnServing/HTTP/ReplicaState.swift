import Hummingbird
import Synchronization

/// Whether the replica may answer: ready only once its model is loaded and warmed up, and while
/// whatever runs it is up.
public final class ReplicaState: Sendable {
    private let ready = Atomic<Bool>(false)
    private let modelAvailable: @Sendable () -> Bool

    public static let serverVersion = "0.1.0"
    /// Largest request body accepted.
    public static let maxBodyBytes = 64 << 20
    public static let versionHeader = HTTPFields.Element.Name("X-Cairn-Model-Version")!

    public init(modelAvailable: @escaping @Sendable () -> Bool = { true }) {
        self.modelAvailable = modelAvailable
    }

    public var isReady: Bool { ready.load(ordering: .acquiring) && modelAvailable() }

    public func markReady() { ready.store(true, ordering: .releasing) }
}
