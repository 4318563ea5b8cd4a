import Foundation

/// What a step needs while it runs; the scheduler starts it only when this fits in what is free.
public struct ResourceSpec: Sendable, Equatable {
    public var cpu: Double
    public var memoryBytes: Int64
    public var gpu: Int

    public static let stepDefault = ResourceSpec(cpu: 1, memoryBytes: 512 << 20, gpu: 0)

    public init(cpu: Double, memoryBytes: Int64, gpu: Int) {
        self.cpu = cpu
        self.memoryBytes = memoryBytes
        self.gpu = gpu
    }

    public func fits(in free: ResourceSpec) -> Bool {
        cpu <= free.cpu + 1e-9 && memoryBytes <= free.memoryBytes && gpu <= free.gpu
    }

    public static func + (lhs: ResourceSpec, rhs: ResourceSpec) -> ResourceSpec {
        ResourceSpec(cpu: lhs.cpu + rhs.cpu, memoryBytes: lhs.memoryBytes + rhs.memoryBytes, gpu: lhs.gpu + rhs.gpu)
    }

    public static func - (lhs: ResourceSpec, rhs: ResourceSpec) -> ResourceSpec {
        ResourceSpec(cpu: lhs.cpu - rhs.cpu, memoryBytes: lhs.memoryBytes - rhs.memoryBytes, gpu: lhs.gpu - rhs.gpu)
    }

    /// Kubernetes-style quantities: `512Mi`, `2Gi`, `1G`, `1000000` (bytes).
    public static func parseMemory(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var bytes: Double?
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            bytes = Double(trimmed.dropLast(suffix.count)).map { $0 * factor }
            break
        }
        // At most 1 PiB: anything larger is a typo, and would not fit the byte count.
        guard let value = bytes ?? Double(trimmed), value.isFinite, value >= 0, value <= 1_125_899_906_842_624 else { return nil }
        return Int64(value)
    }

    /// `2Gi`-style text for a byte count (for manifests and messages).
    public static func formatMemory(_ bytes: Int64) -> String {
        if bytes % (1 << 30) == 0 { return "\(bytes >> 30)Gi" }
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20)Mi" }
        if bytes % 1024 == 0 { return "\(bytes >> 10)Ki" }
        return String(bytes)
    }
}
